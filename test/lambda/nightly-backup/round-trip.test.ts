import { SCHEMA_VERSION } from '../../../lambda/shared/content-schema/migrations';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Pool } from 'pg';
import { exportDatabase } from '../../../lambda/nightly-backup/export';
import { MANIFEST_FORMAT } from '../../../lambda/nightly-backup/manifest';
import { restoreBackup } from '../../../lambda/nightly-backup/restore';
import { connectTo } from '../../../scripts/lib/backup-cli';
import { localSigning } from '../../support/backup-signing';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { ApiHarness } from '../content-api/harness';

/** Every row of every content table, as one comparable digest per table. */
async function digest(pool: Pool): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['spaces', 'entries', 'api_keys', 'audit_log', 'invalidation_outbox']) {
    const r = await pool.query(
      `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${t} t`,
    );
    out[t] = `${r.rows[0].n}:${r.rows[0].h}`;
  }
  return out;
}

let s3: LocalS3;
let api: ApiHarness;
let target: TestDatabase;

beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['alpha', 'beta']);
  target = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await api.stop();
  await target.drop();
  await s3.stop();
});

describe('backup and restore round trip', () => {
  it('restores every table row for row, from content written through the API', async () => {
    const writer = await api.key('alpha', 'write');
    const admin = await api.key('beta', 'admin');
    const big = {
      body: 'ü'.repeat(60_000),
      list: Array.from({ length: 2000 }, (_, i) => ({ i })),
    };
    await api.entry('alpha', writer.key, 'unicode', {
      title: 'Grüße, 世界 🌍',
      quote: 'it\'s "x"\n\ttab\\',
    });
    await api.entry('alpha', writer.key, 'big', big);
    const published = await api.entry('alpha', writer.key, 'published', { n: null, ok: true });
    const publish = await api.call('POST', `/v1/spaces/alpha/entries/${published.id}/publish`, {
      key: writer.key,
    });
    expect(publish.status).toBe(200);
    const gone = await api.entry('alpha', writer.key, 'deleted');
    expect(
      (await api.call('DELETE', `/v1/spaces/alpha/entries/${gone.id}`, { key: writer.key })).status,
    ).toBe(204);
    for (let i = 0; i < 50; i++) await api.entry('beta', admin.key, `bulk-${i}`, { i });
    // A support grant, and audit rows that reference it (restored after the grants).
    const grant = await api.call('POST', '/v1/spaces/beta/support-grants', {
      key: admin.key,
      body: { reason: 'TICKET-1', hours: 2 },
    });
    expect(grant.status).toBe(201);
    await api.db.pool.query(
      `INSERT INTO audit_log (space_id, at, subject, action, target, grant_id)
       VALUES ('beta', now(), 'support-person', 'support.read', 'GET /v1/spaces/beta/entries', $1)`,
      [grant.body.id],
    );
    const before = await digest(api.db.pool);

    const { manifest, manifestKey } = await exportDatabase({
      connect: connectTo(api.db.url),
      s3: s3.client(),
      bucket: s3.bucket,
      prefix: 'backups/test',
      stage: 'test',
      now: () => new Date('2026-11-23T02:00:00.123Z'),
      random: () => '7f3a',
      signer: localSigning().signer,
    });
    expect(manifestKey).toBe('backups/test/2026/11/23/2026-11-23T02-00-00Z-7f3a/manifest.json');
    expect(manifest).toMatchObject({
      format: MANIFEST_FORMAT,
      runId: '2026-11-23T02-00-00Z-7f3a',
      stage: 'test',
      schemaVersion: SCHEMA_VERSION,
      postgresVersion: expect.stringMatching(/^\d+/),
    });
    expect(manifest.tables.map((t) => [t.name, t.rows])).toEqual([
      ['api_keys', 2],
      ['audit_log', Number(before.audit_log.split(':')[0])],
      ['entries', 53],
      ['invalidation_outbox', 0],
      ['spaces', 2],
      ['support_grants', 1],
    ]);
    for (const object of manifest.tables.flatMap((t) => t.objects)) {
      expect(object.key.startsWith('backups/test/2026/11/23/2026-11-23T02-00-00Z-7f3a/')).toBe(
        true,
      );
      expect(object.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // The big entry compresses: gzip runs on the stream.
    const entries = manifest.tables.find((t) => t.name === 'entries')!.objects[0];
    expect(entries.bytes).toBeLessThan(entries.uncompressedBytes / 2);

    await restoreBackup({
      s3: s3.client(),
      bucket: s3.bucket,
      manifestKey,
      connect: connectTo(target.url),
      verifier: localSigning().verifier,
    });
    expect(await digest(target.pool)).toEqual(before);
    const version = await target.pool.query('SELECT max(name) AS v FROM schema_migrations');
    expect(version.rows[0].v).toBe(SCHEMA_VERSION);
    // Sequences end above the highest restored id: the next audit row does not collide.
    const next = await target.pool.query(
      "INSERT INTO audit_log (space_id, at, subject, action, target) VALUES ('alpha', now(), 'operator:test', 'test', 'x') RETURNING id",
    );
    const max = await api.db.pool.query('SELECT max(id) AS m FROM audit_log');
    expect(Number(next.rows[0].id)).toBeGreaterThan(Number(max.rows[0].m));
  });

  it('splits a large table into page ranges and restores it whole', async () => {
    const chunked = await createTestDatabase({ migrate: false });
    const writer = await api.key('alpha', 'write');
    for (let i = 0; i < 100; i++) {
      await api.entry('alpha', writer.key, `filler-${i}`, { text: 'x'.repeat(1500) });
    }
    try {
      const { manifest, manifestKey } = await exportDatabase({
        connect: connectTo(api.db.url),
        s3: s3.client(),
        bucket: s3.bucket,
        prefix: 'backups/chunked',
        stage: 'test',
        chunkBytes: 16 * 1024,
        signer: localSigning().signer,
      });
      const entries = manifest.tables.find((t) => t.name === 'entries')!;
      expect(entries.objects.length).toBeGreaterThan(1);
      expect(entries.objects.map((o) => o.key.split('/').pop())).toEqual(
        entries.objects.map((_, i) => `entries.${String(i).padStart(4, '0')}.copy.gz`),
      );
      await restoreBackup({
        s3: s3.client(),
        bucket: s3.bucket,
        manifestKey,
        connect: connectTo(chunked.url),
        verifier: localSigning().verifier,
      });
      expect(await digest(chunked.pool)).toEqual(await digest(api.db.pool));
    } finally {
      await chunked.drop();
    }
  });

  it('lists only completed objects and the manifest in the run folder', async () => {
    const listed = await s3
      .client()
      .send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'backups/test/' }));
    const names = (listed.Contents ?? []).map((o) => o.Key!.split('/').pop());
    expect(names.sort()).toEqual([
      'api_keys.0000.copy.gz',
      'audit_log.0000.copy.gz',
      'entries.0000.copy.gz',
      'invalidation_outbox.0000.copy.gz',
      'manifest.json',
      'spaces.0000.copy.gz',
      'support_grants.0000.copy.gz',
    ]);
  });
});
