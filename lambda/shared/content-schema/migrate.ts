import type { ClientBase, Pool, PoolClient } from 'pg';
import { MIGRATIONS, type Migration } from './migrations';

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
  const wanted = migrationsUpTo(upTo);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query(BOOKKEEPING);
    for (const m of wanted) {
      await underLock(client, async () => {
        if (await apply(client, m)) applied.push(m.name);
      });
    }
  } finally {
    client.release();
  }
  return applied;
}

/**
 * Applies the migrations up to `upTo` inside the caller's open transaction (a
 * restore creates the schema and loads the data in one transaction).
 */
export async function migrateInTransaction(client: ClientBase, upTo: string): Promise<string[]> {
  const wanted = migrationsUpTo(upTo);
  await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
  await client.query(BOOKKEEPING);
  const applied: string[] = [];
  for (const m of wanted) if (await apply(client, m)) applied.push(m.name);
  return applied;
}

/** Whether `name` is a migration of this code base. */
export const isKnownMigration = (name: string) => MIGRATIONS.some((m) => m.name === name);

const BOOKKEEPING =
  'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())';

function migrationsUpTo(upTo?: string): Migration[] {
  const wanted: Migration[] = [];
  for (const m of MIGRATIONS) {
    wanted.push(m);
    if (m.name === upTo) break;
  }
  if (upTo && wanted[wanted.length - 1].name !== upTo) throw new Error(`Unknown migration ${upTo}`);
  return wanted;
}

async function apply(client: ClientBase, m: Migration): Promise<boolean> {
  const done = await client.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name]);
  if (done.rowCount !== 0) return false;
  await client.query(m.sql);
  await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
  return true;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Ensures a login role with the given grants, under the migration lock. On RDS,
 * where the `rds_iam` role exists, the role authenticates with IAM tokens only and
 * has no password.
 */
async function ensureLoginRole(pool: Pool, role: string, grants: readonly string[]): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new Error(`Invalid role name ${role}`);
  const client = await pool.connect();
  try {
    await underLock(client, async () => {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (exists.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN`);
      const iam = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
      if (iam.rowCount === 1) await client.query(`GRANT rds_iam TO ${role}`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      for (const grant of grants) await client.query(grant);
    });
  } finally {
    client.release();
  }
}

/**
 * Ensures the login role an application connects as, with data rights on the
 * content tables and nothing else (no DDL, no change to the migrations
 * bookkeeping), and the audit log append-only: it may add and read audit rows,
 * never change or remove one.
 */
export function ensureAppRole(pool: Pool, role: string): Promise<void> {
  return ensureLoginRole(pool, role, [
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${role}`,
    `REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role}`,
  ]);
}

/**
 * Ensures the outbox drainer's login role: it may read, update and remove pending
 * CDN invalidations, and touch nothing else.
 */
export function ensureOutboxRole(pool: Pool, role: string): Promise<void> {
  return ensureLoginRole(pool, role, [
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`,
    `GRANT SELECT, UPDATE, DELETE ON invalidation_outbox TO ${role}`,
  ]);
}

/**
 * Ensures a read-only login role (the nightly backup): it may read every table of
 * the schema, migrations bookkeeping included, and change nothing.
 */
export function ensureReadOnlyRole(pool: Pool, role: string): Promise<void> {
  return ensureLoginRole(pool, role, [
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`,
    `ALTER ROLE ${role} SET default_transaction_read_only = on`,
  ]);
}

/** Creates a space; false when it already exists. */
export async function createSpace(pool: Pool, spaceId: string): Promise<boolean> {
  const r = await pool.query('INSERT INTO spaces (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
    spaceId,
  ]);
  return r.rowCount === 1;
}
