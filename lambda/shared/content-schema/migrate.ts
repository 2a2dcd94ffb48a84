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
async function ensureLoginRole(
  pool: Pool,
  role: string,
  grants: readonly string[] | ((client: ClientBase) => Promise<readonly string[]>),
): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new Error(`Invalid role name ${role}`);
  const client = await pool.connect();
  try {
    await underLock(client, async () => {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (exists.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN`);
      const iam = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
      if (iam.rowCount === 1) await client.query(`GRANT rds_iam TO ${role}`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      const statements = typeof grants === 'function' ? await grants(client) : grants;
      for (const grant of statements) await client.query(grant);
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

/**
 * pgaudit settings of every session of the operator role (`ALTER ROLE ... SET`); the
 * parameter group keeps the cluster-wide `pgaudit.log` to `ddl,role`, so only the
 * operator pays for statement logging.
 *
 * - `pgaudit.log = all`: every read and write, and function calls, DDL, role changes
 *   and `SET`s (`misc`) too: a break-glass session is a person typing, so the volume
 *   is small, and a `SET statement_timeout = 0` is itself worth recording.
 * - `pgaudit.log_relation = on`: one line per table a statement touches, each naming
 *   the table, so "who read or changed `entries`" is a search for one name, joins
 *   and subqueries included.
 * - `pgaudit.log_parameter = on`: the bound values of a parameterised statement are
 *   logged with it. The values an operator wrote are the evidence of what changed;
 *   they land in the exported PostgreSQL log, which is encrypted with the data key
 *   and kept for the stage's log retention, like the data they describe.
 *
 * These are superuser-only (`SUSET`) settings: the operator cannot switch its own
 * logging off. `pgaudit.log_statement_once` stays off, so each line is complete.
 */
export const OPERATOR_AUDIT_SETTINGS: Readonly<Record<string, string>> = {
  'pgaudit.log': 'all',
  'pgaudit.log_relation': 'on',
  'pgaudit.log_parameter': 'on',
};

/**
 * Timeouts of the operator role, so that a forgotten session holds no locks:
 * a statement runs at most 2 minutes, waits at most 5 seconds for a lock (it never
 * queues the API's writes behind it), and a transaction left open idle is ended
 * after 1 minute (rolled back, its locks released).
 */
export const OPERATOR_TIMEOUTS: Readonly<Record<string, string>> = {
  statement_timeout: '2min',
  lock_timeout: '5s',
  idle_in_transaction_session_timeout: '1min',
};

/** Whether the server loaded pgaudit at start (`shared_preload_libraries`). */
export async function pgauditLoaded(client: ClientBase): Promise<boolean> {
  const r = await client.query<{ libs: string }>(
    "SELECT current_setting('shared_preload_libraries') AS libs",
  );
  return r.rows[0].libs
    .split(',')
    .map((lib) => lib.trim().replace(/^"|"$/g, ''))
    .includes('pgaudit');
}

/** What {@link ensureOperatorRole} found and did. */
export interface OperatorRoleState {
  /** pgaudit is loaded: the role logs every statement and may log in. */
  readonly audited: boolean;
}

/**
 * Ensures the break-glass operator's login role: IAM-only login where `rds_iam`
 * exists (RDS), the data rights an operator fixing customer data needs on the
 * content tables (read, insert, update, delete), the audit log append-only (never
 * updated, deleted or truncated), the migrations bookkeeping read-only, no DDL (it
 * owns nothing and may not create in the schema), the {@link OPERATOR_TIMEOUTS},
 * and pgaudit session logging of each of its statements
 * ({@link OPERATOR_AUDIT_SETTINGS}).
 *
 * Where pgaudit is loaded it also creates the `pgaudit` extension in the database
 * (its event triggers name the objects of DDL), as AWS documents for RDS, where the
 * master user (`rds_superuser`) may create it and set the role's pgaudit settings.
 * Where pgaudit is not loaded (an instance whose new parameter group waits for a
 * reboot, or a local PostgreSQL without pgaudit), nothing could record the
 * operator's statements, so the role exists with its grants but may not log in
 * (`NOLOGIN`) until a run with pgaudit loaded; the result says which.
 */
export async function ensureOperatorRole(pool: Pool, role: string): Promise<OperatorRoleState> {
  let audited = false;
  await ensureLoginRole(pool, role, async (client) => {
    audited = await pgauditLoaded(client);
    const settings = { ...OPERATOR_TIMEOUTS, ...(audited ? OPERATOR_AUDIT_SETTINGS : {}) };
    return [
      ...(audited ? ['CREATE EXTENSION IF NOT EXISTS pgaudit'] : []),
      `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`,
      `REVOKE CREATE ON SCHEMA public FROM ${role}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${role}`,
      `REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role}`,
      ...Object.entries(settings).map(
        ([name, value]) => `ALTER ROLE ${role} SET ${name} = '${value}'`,
      ),
      `ALTER ROLE ${role} ${audited ? 'LOGIN' : 'NOLOGIN'}`,
    ];
  });
  return { audited };
}

/** Creates a space; false when it already exists. */
export async function createSpace(pool: Pool, spaceId: string): Promise<boolean> {
  const r = await pool.query('INSERT INTO spaces (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
    spaceId,
  ]);
  return r.rowCount === 1;
}
