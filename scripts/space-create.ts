/**
 * `npm run space:create -- --space <id> [--admin-key <key>]`
 *
 * Creates a space in the database at DATABASE_URL (running the migrations first)
 * and prints its first admin key. Exit code 1, with a message, on an invalid or
 * existing space id.
 */
import { Pool } from 'pg';
import { OperatorError, checkKey, createSpaceWithAdmin, operatorPepper } from './lib/spaces';
import { option } from './lib/args';

async function main(): Promise<number> {
  const space = option('--space');
  if (!space) {
    console.error('usage: npm run space:create -- --space <id> [--admin-key <key>]');
    return 1;
  }
  if (!process.env.DATABASE_URL) {
    console.error('DATABASE_URL must point at the content database');
    return 1;
  }
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  try {
    const adminKey = option('--admin-key');
    const { key } = await createSpaceWithAdmin(pool, space, operatorPepper(), {
      key: adminKey && checkKey(adminKey, '--admin-key'),
    });
    console.error(`Created space '${space}'. Its admin key (shown once):`);
    console.log(key);
    return 0;
  } catch (err) {
    if (err instanceof OperatorError) {
      console.error(`space:create: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await pool.end();
  }
}

main().then((code) => process.exit(code));
