/**
 * `npm run space:create -- --space <id> [--admin-key <key>]`
 *
 * Creates a space in the database at DATABASE_URL (running the migrations first)
 * and prints its first admin key. Exit code 1, with a message, on an invalid or
 * existing space id; 2 on bad arguments or without DATABASE_URL.
 */
import { Pool } from 'pg';
import { type CliError, cannotRun, defineCommand, failed, runMain } from './lib/cli';
import { OperatorError, checkKey, createSpaceWithAdmin, operatorPepper } from './lib/spaces';

/** `npm run space:create`. */
export const command = defineCommand({
  name: 'space:create',
  usage: '--space <id> [--admin-key <key>]',
  summary:
    'Creates a space in the database at DATABASE_URL (running the migrations first) and prints its first admin key.',
  description:
    'Both are audited as operator:<name> (BULWARK_OPERATOR, or the user name of whoever runs it).',
  options: {
    space: { type: 'string', value: 'id', required: true, description: 'the new space' },
    'admin-key': {
      type: 'string',
      value: 'key',
      description: 'the admin key to register (default: a new one)',
    },
  },
  exitCodes:
    '0 created, 1 an invalid or existing space id or an invalid key, 2 bad arguments or no DATABASE_URL.',
  run: ({ values }, { env }) => createSpace(values.space, values['admin-key'], env),
});

async function createSpace(
  space: string,
  adminKey: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<number | CliError> {
  if (!env.DATABASE_URL) {
    return cannotRun('space:create: DATABASE_URL must point at the content database');
  }
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2 });
  try {
    const { key } = await createSpaceWithAdmin(pool, space, operatorPepper(), {
      key: adminKey && checkKey(adminKey, '--admin-key'),
    });
    console.error(`Created space '${space}'. Its admin key (shown once):`);
    console.log(key);
    return 0;
  } catch (err) {
    if (err instanceof OperatorError) return failed(`space:create: ${err.message}`);
    throw err;
  } finally {
    await pool.end();
  }
}

runMain(command, module);
