/**
 * The break-glass operator's database role against a real pgaudit: a cluster of its
 * own, started with the Data stack's pgaudit parameters, whose server log this test
 * reads. The operator logs in without IAM here (the local cluster trusts loopback).
 */
import * as fs from 'node:fs';
import { Client, Pool } from 'pg';
import {
  createSpace,
  ensureAppRole,
  ensureOperatorRole,
  migrate,
} from '../../../lambda/shared/content-schema/migrate';
import {
  API_DB_USER,
  OPERATOR_DB_USER,
  PGAUDIT_PARAMETERS,
} from '../../../lib/constructs/database';
import {
  type ThrowawayPostgres,
  pgauditInstalled,
  postgresMajorVersion,
  startThrowawayPostgres,
} from '../../../scripts/lib/throwaway-postgres';

const installed = pgauditInstalled();
const install = `apt-get install -y postgresql-${postgresMajorVersion()}-pgaudit`;
const suite = installed ? describe : describe.skip;
if (!installed && process.env.CI !== 'true') {
  console.warn(
    `Skipping the pgaudit tests of the operator role: pgaudit is not installed (${install})`,
  );
}

if (process.env.CI === 'true') {
  it('finds pgaudit installed in CI', () => {
    if (!installed) throw new Error(`pgaudit is not installed: ${install} (.ci/run installs it)`);
  });
}

suite(
  `operator role with pgaudit${installed ? '' : ` (skipped: pgaudit is not installed; ${install})`}`,
  () => {
    const ENTRY = '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
    let server: ThrowawayPostgres;
    let admin: Pool;
    let operator: Client;
    let api: Client;
    const as = (user: string) =>
      new Client({
        connectionString: server.url.replace(
          /\/\/postgres@(.*)\/postgres$/,
          `//${user}@$1/bulwark`,
        ),
      });

    /** The server log's lines so far. */
    const logLines = () => fs.readFileSync(server.logFile, 'utf8').split('\n');
    /** Waits (up to 5 s) for a log line matching `pattern`; returns it. */
    async function logLine(pattern: RegExp): Promise<string> {
      for (let waited = 0; waited < 5000; waited += 50) {
        const line = logLines().find((l) => pattern.test(l));
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no server log line matches ${pattern}`);
    }

    beforeAll(async () => {
      server = await startThrowawayPostgres({
        settings: {
          ...PGAUDIT_PARAMETERS,
          // As RDS writes it: time, client, user@database, process.
          log_line_prefix: '%t:%r:%u@%d:[%p]:',
        },
      });
      const bootstrap = new Client({ connectionString: server.url });
      await bootstrap.connect();
      await bootstrap.query('CREATE DATABASE bulwark');
      await bootstrap.end();
      admin = new Pool({ connectionString: server.url.replace(/\/postgres$/, '/bulwark'), max: 2 });
      await migrate(admin);
      await ensureAppRole(admin, API_DB_USER);
      expect(await ensureOperatorRole(admin, OPERATOR_DB_USER)).toEqual({ audited: true });
      await ensureOperatorRole(admin, OPERATOR_DB_USER); // idempotent
      await createSpace(admin, 'acme');
      await admin.query(
        `INSERT INTO entries (id, space_id, content_type, slug, fields, status, version, created_at, updated_at)
         VALUES ($1, 'acme', 'article', 'broken', '{}', 'draft', 1, now(), now())`,
        [ENTRY],
      );
      await admin.query(
        "INSERT INTO audit_log (space_id, at, action, target, subject) VALUES ('acme', now(), 'entry.create', $1, 'operator:setup')",
        [ENTRY],
      );
      operator = as(OPERATOR_DB_USER);
      api = as(API_DB_USER);
      await Promise.all([operator.connect(), api.connect()]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([operator?.end(), api?.end(), admin?.end()]);
      server?.stop();
    });

    it('creates the pgaudit extension in the content database', async () => {
      const r = await admin.query("SELECT 1 FROM pg_extension WHERE extname = 'pgaudit'");
      expect(r.rowCount).toBe(1);
    });

    it("logs the operator's SELECT as a READ of the table, with the statement and its parameters", async () => {
      await operator.query('SELECT slug FROM entries WHERE space_id = $1 /* operator-read */', [
        'acme',
      ]);

      const line = await logLine(/operator-read/);
      expect(line).toContain(`${OPERATOR_DB_USER}@bulwark`);
      expect(line).toMatch(
        /AUDIT: SESSION,\d+,\d+,READ,SELECT,TABLE,public\.entries,"?SELECT slug FROM entries WHERE space_id = \$1 \/\* operator-read \*\/"?,acme$/,
      );
    });

    it("logs the operator's UPDATE as a WRITE of the table, naming the statement", async () => {
      const r = await operator.query(
        "UPDATE entries SET slug = 'fixed' WHERE id = $1 /* operator-write */",
        [ENTRY],
      );
      expect(r.rowCount).toBe(1);

      const line = await logLine(/operator-write/);
      expect(line).toContain(`${OPERATOR_DB_USER}@bulwark`);
      expect(line).toMatch(
        /AUDIT: SESSION,\d+,\d+,WRITE,UPDATE,TABLE,public\.entries,"?UPDATE entries SET slug = 'fixed' WHERE id = \$1 \/\* operator-write \*\/"?,3f1c2a4e/,
      );
    });

    it("does not log the API role's ordinary reads and writes (cluster-wide: ddl,role only)", async () => {
      await api.query('SELECT slug FROM entries /* api-read */');
      await api.query('UPDATE entries SET fields = \'{"a":1}\' WHERE id = $1 /* api-write */', [
        ENTRY,
      ]);
      // The operator's statement after them proves the log has caught up.
      await operator.query('SELECT count(*) FROM spaces /* sentinel */');
      await logLine(/sentinel/);

      expect(logLines().filter((l) => /api-(read|write)/.test(l))).toEqual([]);
      expect(
        logLines().filter((l) => l.includes(`${API_DB_USER}@bulwark`) && l.includes('AUDIT:')),
      ).toEqual([]);
    });

    it('lets the operator append to the audit log but never change, remove or truncate a row', async () => {
      await operator.query(
        "INSERT INTO audit_log (space_id, at, action, target, subject) VALUES ('acme', now(), 'entry.update', $1, 'operator:alice')",
        [ENTRY],
      );
      await expect(operator.query("UPDATE audit_log SET action = 'nothing'")).rejects.toThrow(
        /permission denied for table audit_log/,
      );
      await expect(operator.query('DELETE FROM audit_log')).rejects.toThrow(
        /permission denied for table audit_log/,
      );
      await expect(operator.query('TRUNCATE audit_log')).rejects.toThrow(
        /permission denied for table audit_log/,
      );
      const rows = await admin.query('SELECT count(*)::int AS n FROM audit_log');
      expect(rows.rows[0].n).toBe(2);
    });

    it('refuses the operator any write to schema_migrations, and any DDL', async () => {
      for (const sql of [
        "INSERT INTO schema_migrations (name) VALUES ('9999_mine')",
        "UPDATE schema_migrations SET name = 'x'",
        'DELETE FROM schema_migrations',
      ]) {
        await expect(operator.query(sql)).rejects.toThrow(
          /permission denied for table schema_migrations/,
        );
      }
      await expect(operator.query('CREATE TABLE intruder (x int)')).rejects.toThrow(
        /permission denied for schema public/,
      );
      await expect(operator.query('DROP TABLE entries')).rejects.toThrow(/must be owner/);
      await expect(operator.query('ALTER TABLE entries ADD COLUMN x int')).rejects.toThrow(
        /must be owner/,
      );
    });

    it('refuses the operator switching its own audit logging off', async () => {
      await expect(operator.query("SET pgaudit.log = 'none'")).rejects.toThrow(/permission denied/);
      const r = await operator.query('SHOW pgaudit.log');
      expect(r.rows[0]['pgaudit.log']).toBe('all');
    });

    it('gives operator sessions timeouts, so a forgotten one holds no locks', async () => {
      const show = async (name: string) =>
        Object.values((await operator.query(`SHOW ${name}`)).rows[0])[0];
      expect(await show('statement_timeout')).toBe('2min');
      expect(await show('lock_timeout')).toBe('5s');
      expect(await show('idle_in_transaction_session_timeout')).toBe('1min');
    });
  },
);
