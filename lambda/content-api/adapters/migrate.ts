import type { Pool, PoolClient } from 'pg';
import { MIGRATIONS, type Migration } from '../migrations';

/** Arbitrary, fixed key of the advisory lock that serializes migration runs. */
const LOCK_KEY = 7_411_001;

/** Runs `work` in one transaction that holds the migration lock; rolls back on error. */
async function underLock(client: PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Applies the migrations not yet applied, in order, each in one transaction with
 * its bookkeeping row; concurrent runners wait on an advisory lock. Returns the
 * names applied. `upTo` stops after that migration (restores use it).
 */
export async function migrate(pool: Pool, upTo?: string): Promise<string[]> {
  const wanted: Migration[] = [];
  for (const m of MIGRATIONS) {
    wanted.push(m);
    if (m.name === upTo) break;
  }
  if (upTo && wanted[wanted.length - 1].name !== upTo) throw new Error(`Unknown migration ${upTo}`);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    for (const m of wanted) {
      await underLock(client, async () => {
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE name = $1', [
          m.name,
        ]);
        if (done.rowCount === 0) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
          applied.push(m.name);
        }
      });
    }
  } finally {
    client.release();
  }
  return applied;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Ensures the login role an application connects as, with data rights on the
 * content tables and nothing else (no DDL). On RDS, where the `rds_iam` role exists,
 * the role authenticates with IAM tokens only and has no password.
 */
export async function ensureAppRole(pool: Pool, role: string): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new Error(`Invalid role name ${role}`);
  const client = await pool.connect();
  try {
    await underLock(client, async () => {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (exists.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN`);
      const iam = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
      if (iam.rowCount === 1) await client.query(`GRANT rds_iam TO ${role}`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await client.query(
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
      );
      await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
      await client.query(`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ${role}`);
    });
  } finally {
    client.release();
  }
}

/** Creates a space; false when it already exists. */
export async function createSpace(pool: Pool, spaceId: string): Promise<boolean> {
  const r = await pool.query('INSERT INTO spaces (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
    spaceId,
  ]);
  return r.rowCount === 1;
}
