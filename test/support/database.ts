import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createSpace, migrate } from '../../lambda/shared/content-schema/migrate';

/** A database of its own for one test file, in the run's throwaway cluster. */
export interface TestDatabase {
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** Creates an empty database (optionally migrated, with spaces) for one test file. */
export async function createTestDatabase(
  options: { migrate?: boolean; spaces?: string[] } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.BULWARK_TEST_POSTGRES_URL;
  if (!serverUrl)
    throw new Error('BULWARK_TEST_POSTGRES_URL is unset: run through jest (global setup)');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = serverUrl.replace(/\/postgres$/, `/${name}`);
  const pool = new Pool({ connectionString: url, max: 10 });
  // An idle client cut off by the server (e.g. on drop) must not crash the test run.
  pool.on('error', () => undefined);
  if (options.migrate ?? true) await migrate(pool);
  for (const space of options.spaces ?? []) await createSpace(pool, space);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
