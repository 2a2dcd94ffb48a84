import { exportDatabase } from '../../../lambda/nightly-backup/export';
import { restoreBackup } from '../../../lambda/nightly-backup/restore';
import { connectTo } from '../../../scripts/lib/backup-cli';
import { localSigning } from '../../support/backup-signing';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { ApiHarness } from '../content-api/harness';

let s3: LocalS3;
let api: ApiHarness;
let target: TestDatabase;

beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['alpha']);
  target = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await api.stop();
  await target.drop();
  await s3.stop();
});

describe('a backup taken while the API writes', () => {
  it('is one consistent snapshot across tables exported in parallel', async () => {
    const writer = await api.key('alpha', 'write');
    for (let i = 0; i < 200; i++) {
      await api.entry('alpha', writer.key, `seed-${i}`, { text: 'x'.repeat(4000) });
    }
    // Each create writes the entry and its audit row in one transaction; the export
    // reads entries and audit_log on different connections at the same time.
    let writing = true;
    let written = 0;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        await api.entry('alpha', writer.key, `live-${w}-${i}`, { i });
        written++;
      }
    });
    const { manifestKey, manifest } = await exportDatabase({
      connect: connectTo(api.db.url),
      s3: s3.client(),
      bucket: s3.bucket,
      prefix: 'consistency',
      stage: 'test',
      parallelism: 2,
      signer: localSigning().signer,
    });
    writing = false;
    await Promise.all(writers);
    expect(written).toBeGreaterThan(0);

    await restoreBackup({
      s3: s3.client(),
      bucket: s3.bucket,
      manifestKey,
      connect: connectTo(target.url),
      verifier: localSigning().verifier,
    });
    const orphans = await target.pool.query(
      `SELECT
         (SELECT count(*)::int FROM entries e WHERE NOT EXISTS (
            SELECT 1 FROM audit_log a WHERE a.action = 'entry.create' AND a.target LIKE '%' || e.id || '%')) AS entries_without_audit,
         (SELECT count(*)::int FROM audit_log a WHERE a.action = 'entry.create' AND NOT EXISTS (
            SELECT 1 FROM entries e WHERE a.target LIKE '%' || e.id || '%')) AS audit_without_entry`,
    );
    expect(orphans.rows[0]).toEqual({ entries_without_audit: 0, audit_without_entry: 0 });
    const entries = manifest.tables.find((t) => t.name === 'entries')!.rows;
    expect(entries).toBeGreaterThanOrEqual(200);
  });
});
