import { Pool } from 'pg';
import {
  ensureAppRole,
  ensureOperatorRole,
  ensureReadOnlyRole,
  migrate,
} from '../../../lambda/shared/content-schema/migrate';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../lambda/shared/content-schema/migrations';
import { createTestDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.drop());

describe('migrations', () => {
  it('stops at a given version, for restores of older backups', async () => {
    expect(await migrate(db.pool, MIGRATIONS[0].name)).toEqual([MIGRATIONS[0].name]);
    const tables = await db.pool.query("SELECT to_regclass('api_keys') AS t");
    expect(tables.rows[0].t).toBeNull();
  });

  it('applies the rest in order, once, even when runners race', async () => {
    const other = new Pool({ connectionString: db.url, max: 2 });
    const runs = await Promise.all([migrate(db.pool), migrate(other)]);
    await other.end();
    expect(runs.flat().sort()).toEqual(MIGRATIONS.slice(1).map((m) => m.name));
    const rows = await db.pool.query('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(rows.rows.at(-1).name).toBe(SCHEMA_VERSION);
  });

  it('is a no-op on an up-to-date database', async () => {
    expect(await migrate(db.pool)).toEqual([]);
  });

  it('rejects an unknown target version', async () => {
    await expect(migrate(db.pool, '9999_nope')).rejects.toThrow('Unknown migration 9999_nope');
  });
});

describe('ensureAppRole', () => {
  const role = `api_${Date.now().toString(36)}`;

  it('creates a login role with data rights and no DDL, granting rds_iam where it exists', async () => {
    await db.pool.query(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN CREATE ROLE rds_iam; END IF; END $$",
    );
    await ensureAppRole(db.pool, role);
    await ensureAppRole(db.pool, role); // idempotent
    const member = await db.pool.query(
      "SELECT pg_has_role($1, 'rds_iam', 'member') AS m, rolcanlogin FROM pg_roles WHERE rolname = $1",
      [role],
    );
    expect(member.rows[0]).toEqual({ m: true, rolcanlogin: true });
    const client = await db.pool.connect();
    try {
      await client.query(`SET ROLE ${role}`);
      await client.query("INSERT INTO spaces (id) VALUES ('role-check')");
      await expect(client.query('CREATE TABLE intruder (x int)')).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query('DELETE FROM schema_migrations')).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query('DROP TABLE entries')).rejects.toThrow(/must be owner/);
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  });

  it('rejects a role name that is not a plain identifier', async () => {
    await expect(ensureAppRole(db.pool, 'x; DROP TABLE entries')).rejects.toThrow(
      'Invalid role name',
    );
  });
});

describe('ensureReadOnlyRole', () => {
  const role = `backup_${Date.now().toString(36)}`;

  it('creates a login role that reads every table, bookkeeping included, and writes nothing', async () => {
    await migrate(db.pool);
    await ensureReadOnlyRole(db.pool, role);
    await ensureReadOnlyRole(db.pool, role); // idempotent
    const client = await db.pool.connect();
    try {
      await client.query(`SET ROLE ${role}`);
      await client.query('SELECT count(*) FROM entries');
      await client.query('SELECT max(name) FROM schema_migrations');
      await expect(client.query("INSERT INTO spaces (id) VALUES ('nope')")).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
    const defaults = await db.pool.query('SELECT rolconfig FROM pg_roles WHERE rolname = $1', [
      role,
    ]);
    expect(defaults.rows[0].rolconfig).toContain('default_transaction_read_only=on');
  });
});

describe('ensureOperatorRole without pgaudit loaded', () => {
  const role = `operator_${Date.now().toString(36)}`;

  it('creates the role with its grants and timeouts, but refuses it login: nothing would record it', async () => {
    await migrate(db.pool);
    expect(await ensureOperatorRole(db.pool, role)).toEqual({ audited: false });
    expect(await ensureOperatorRole(db.pool, role)).toEqual({ audited: false }); // idempotent
    const r = await db.pool.query(
      'SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolconfig FROM pg_roles WHERE rolname = $1',
      [role],
    );
    expect(r.rows[0]).toMatchObject({
      rolcanlogin: false,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
    });
    expect(r.rows[0].rolconfig).toEqual(
      expect.arrayContaining([
        'statement_timeout=2min',
        'lock_timeout=5s',
        'idle_in_transaction_session_timeout=1min',
      ]),
    );
    expect(r.rows[0].rolconfig.filter((c: string) => c.startsWith('pgaudit.'))).toEqual([]);
    const client = await db.pool.connect();
    try {
      await client.query(`SET ROLE ${role}`);
      await client.query('SELECT count(*) FROM entries');
      await expect(client.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
      await expect(client.query("INSERT INTO schema_migrations VALUES ('x')")).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  });
});
