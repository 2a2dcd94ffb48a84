import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type LocalS3, startLocalS3 } from '../support/s3';
import { ApiHarness } from '../lambda/content-api/harness';

const ROOT = path.join(__dirname, '..', '..');
const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));
/** Runs a script asynchronously (s3rver runs in this process and must keep serving). */
const tsx = (script: string, args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args],
      // A bare environment and an empty home: no AWS credentials of the machine leak in.
      { env: { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', HOME: emptyHome } },
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
beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['news']);
  const writer = await api.key('news', 'write');
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
      /backup: 4\/4 tables, \d+ rows, [\d.]+ MB read, [\d.]+ MB stored, [\d.]+ MB\/s/,
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

  it('exits 1 with usage when an option is missing', async () => {
    const r = await tsx('backup.ts', ['--bucket', s3.bucket]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('usage: npm run backup');
  });

  it('exits 2 without credentials when no endpoint is given', async () => {
    const r = await tsx('backup.ts', ['--database-url', api.db.url, '--bucket', 'real-bucket']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs a real AWS account');
  });
});
