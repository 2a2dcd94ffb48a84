import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { signManifest } from '../../lambda/nightly-backup/signing';
import { localSigning } from '../support/backup-signing';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type LocalS3, startLocalS3 } from '../support/s3';
import { ApiHarness } from '../lambda/content-api/harness';

const ROOT = path.join(__dirname, '..', '..');
const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));
/** Runs a script asynchronously (s3rver runs in this process and must keep serving). */
const tsx = (script: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args],
      // A bare environment and an empty home: no AWS credentials of the machine leak in.
      {
        env: { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', HOME: emptyHome, ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });

let s3: LocalS3;
let api: ApiHarness;
let empty: TestDatabase;
let readKeyId = '';
beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['news']);
  const writer = await api.key('news', 'write');
  readKeyId = (await api.key('news', 'read', 'reader')).id;
  for (let i = 0; i < 20; i++) await api.entry('news', writer.key, `story-${i}`);
  empty = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await api.stop();
  await empty.drop();
  await s3.stop();
});

describe('npm run backup / npm run restore', () => {
  let manifestKey = '';
  const restoreInto = (url: string) =>
    tsx('restore.ts', [
      ...['--bucket', s3.bucket, '--manifest', manifestKey],
      ...['--database-url', url, '--endpoint', s3.endpoint],
    ]);

  it('backs up, printing progress on stderr and the manifest key last on stdout', async () => {
    const r = await tsx('backup.ts', [
      '--database-url',
      api.db.url,
      '--bucket',
      s3.bucket,
      '--endpoint',
      s3.endpoint,
    ]);
    expect(r.status).toBe(0);
    manifestKey = r.stdout.trim().split('\n').pop()!;
    expect(manifestKey).toMatch(/^backups\/local\/\d{4}\/\d{2}\/\d{2}\/[^/]+\/manifest\.json$/);
    expect(r.stderr).toMatch(
      /backup: 6\/6 tables, \d+ rows, [\d.]+ MB read, [\d.]+ MB stored, [\d.]+ MB\/s/,
    );
    expect(r.stderr).toMatch(/manifest written in [\d.]+ s with \d+ workers\n/);
  });

  it('exports with the workers it is given, and refuses a count that is not one', async () => {
    const one = await tsx('backup.ts', [
      ...['--database-url', api.db.url, '--bucket', s3.bucket, '--endpoint', s3.endpoint],
      ...['--prefix', 'one-worker', '--workers', '1'],
    ]);
    expect(one.status).toBe(0);
    expect(one.stderr).toMatch(/manifest written in [\d.]+ s with 1 worker\n/);
    const none = await tsx('backup.ts', [
      ...['--database-url', api.db.url, '--bucket', s3.bucket, '--workers', '0'],
    ]);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(
      'backup: option --workers must be a positive integer, not "0" (see --help)\n',
    );
  });

  it('restores into an empty database and reports what it checked', async () => {
    const r = await restoreInto(empty.url);
    expect(r.stderr).toContain('every checksum and row count matched');
    expect(r.status).toBe(0);
    const n = await empty.pool.query('SELECT count(*)::int AS n FROM entries');
    expect(n.rows[0].n).toBe(20);
  });

  it('exits 1 and names the reason when the target is not empty', async () => {
    const r = await restoreInto(empty.url);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already holds content data');
  });

  it('exits 2 naming the missing option', async () => {
    const r = await tsx('backup.ts', ['--bucket', s3.bucket]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('backup: --database-url (or DATABASE_URL) is required (see --help)\n');
  });

  it('exits 2 without credentials when no endpoint is given', async () => {
    const r = await tsx('backup.ts', ['--database-url', api.db.url, '--bucket', 'real-bucket']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs a real AWS account');
  });
});

describe('a forged backup, through the CLIs', () => {
  const backupOf = async (env: Record<string, string> = {}) => {
    const r = await tsx(
      'backup.ts',
      ['--database-url', api.db.url, '--bucket', s3.bucket, '--endpoint', s3.endpoint],
      env,
    );
    expect(r.status).toBe(0);
    return r.stdout.trim().split('\n').pop()!;
  };
  const restoreFrom = (manifestKey: string, url: string, extra: string[] = [], env = {}) =>
    tsx(
      'restore.ts',
      [
        ...['--bucket', s3.bucket, '--manifest', manifestKey],
        ...['--database-url', url, '--endpoint', s3.endpoint],
        ...extra,
      ],
      env,
    );
  const getText = async (key: string) =>
    (
      await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
    ).Body!.transformToString();
  const put = (key: string, body: string | Buffer) =>
    s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  let target: TestDatabase;
  beforeEach(async () => {
    target = await createTestDatabase({ migrate: true });
  });
  afterEach(async () => target.drop());
  /** Every row of the target, to show it unchanged. */
  const contents = async () =>
    (
      await target.pool.query(
        `SELECT (SELECT count(*) FROM spaces) + (SELECT count(*) FROM entries) + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM audit_log) AS n`,
      )
    ).rows[0].n;

  /** Raises the read key to admin in the export and makes the manifest's sizes and SHA-256 agree. */
  async function forge(manifestKey: string): Promise<any> {
    const manifest = JSON.parse(await getText(manifestKey));
    const object = manifest.tables.find((t: any) => t.name === 'api_keys').objects[0];
    const r = await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: object.key }));
    const rows = gunzipSync(Buffer.from(await r.Body!.transformToByteArray())).toString('utf8');
    const line = rows.split('\n').find((l) => l.startsWith(`${readKeyId}\t`))!;
    const raised = rows.replace(line, line.replace('\tread\t', '\tadmin\t'));
    expect(raised).not.toBe(rows);
    const body = gzipSync(Buffer.from(raised, 'utf8'));
    await put(object.key, body);
    Object.assign(object, {
      bytes: body.length,
      uncompressedBytes: Buffer.byteLength(raised),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    delete manifest.signature;
    return manifest;
  }

  it('exits 1 naming why, the target unchanged, when the forged manifest is unsigned', async () => {
    const key = await backupOf();
    await put(key, JSON.stringify(await forge(key)));
    const r = await restoreFrom(key, target.url);
    expect(r.status).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('restore failed'));
    expect(errors).toEqual([
      `restore failed, the target database is unchanged: ${key}: the manifest is unsigned, so nothing proves the backup wrote it; refusing (a manifest from before backups were signed restores with --allow-unsigned)`,
    ]);
    expect(await contents()).toBe('0');
  });

  it('exits 1, the target unchanged, when the forged manifest is re-signed with another key', async () => {
    const key = await backupOf();
    const other = localSigning({ BACKUP_SIGNING_KEY: 'the insider key' }).signer;
    await put(key, JSON.stringify(await signManifest(await forge(key), other)));
    const r = await restoreFrom(key, target.url, ['--allow-unsigned']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `restore failed, the target database is unchanged: ${key}: the manifest signature does not verify with the local default key (it names the key in BACKUP_SIGNING_KEY)`,
    );
    expect(await contents()).toBe('0');
  });

  it('signs and verifies with BACKUP_SIGNING_KEY when it is set, and refuses another key', async () => {
    const env = { BACKUP_SIGNING_KEY: 'a local key of this team' };
    const key = await backupOf(env);
    expect(JSON.parse(await getText(key)).signature.keyId).toBe('local:BACKUP_SIGNING_KEY');
    const refused = await restoreFrom(key, target.url);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('does not verify with the local default key');
    const r = await restoreFrom(key, target.url, [], env);
    expect(r.stderr).toContain(
      'signature (local:BACKUP_SIGNING_KEY), every checksum and row count matched',
    );
    expect(r.status).toBe(0);
  });

  it('--allow-unsigned restores an old unsigned manifest and warns on stderr what it skips', async () => {
    const key = await backupOf();
    const old = JSON.parse(await getText(key));
    delete old.signature;
    await put(key, JSON.stringify(old));
    const r = await restoreFrom(key, target.url, ['--allow-unsigned']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `restore: WARNING: ${key} is UNSIGNED and restored only because unsigned manifests were allowed: its authenticity is NOT verified`,
    );
    expect(r.stderr).toContain('the manifest was UNSIGNED (not verified)');
    const n = await target.pool.query('SELECT count(*)::int AS n FROM entries');
    expect(n.rows[0].n).toBe(20);
  });
});
