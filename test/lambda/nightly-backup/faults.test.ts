import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import * as path from 'node:path';
import { exportDatabase, type ExportOptions } from '../../../lambda/nightly-backup/export';
import type { Manifest } from '../../../lambda/nightly-backup/manifest';
import { BackupTooLargeError } from '../../../lambda/nightly-backup/preflight';
import { RestoreError, restoreBackup } from '../../../lambda/nightly-backup/restore';
import { postgresBinDir } from '../../../scripts/lib/throwaway-postgres';
import { signManifest } from '../../../lambda/nightly-backup/signing';
import { connectTo } from '../../../scripts/lib/backup-cli';
import { localSigning } from '../../support/backup-signing';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { ApiHarness } from '../content-api/harness';

const APP = 'bulwark-backup-fault-test';
let s3: LocalS3;
let api: ApiHarness;
let run = 0;

beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['alpha']);
  const writer = await api.key('alpha', 'write');
  for (let i = 0; i < 300; i++) {
    await api.entry('alpha', writer.key, `entry-${i}`, { i, text: 'x'.repeat(2000) });
  }
});
afterAll(async () => {
  await api.stop();
  await s3.stop();
});

const options = (prefix: string, over: Partial<ExportOptions> = {}): ExportOptions => ({
  connect: connectTo(`${api.db.url}?application_name=${APP}`),
  s3: s3.client(),
  bucket: s3.bucket,
  prefix,
  stage: 'test',
  signer: localSigning().signer,
  ...over,
});

async function keysUnder(prefix: string): Promise<string[]> {
  const r = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!);
}

/** An S3 client whose `n`-th request for a key matching `pattern` fails like a 500. */
function failingS3(pattern: RegExp, n = 1): S3Client {
  const client = s3.client();
  let seen = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (pattern.test(key) && ++seen === n) {
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFailure' },
  );
  return client;
}

describe('export faults', () => {
  it('fails, writes no manifest and succeeds next time when the database connection dies', async () => {
    const prefix = `faults/${++run}`;
    let killed = false;
    const failed = exportDatabase(
      options(prefix, {
        parallelism: 1,
        // After the first table: terminate the export's connection, synchronously, so
        // that the rest of the run meets a dead connection whatever the machine's speed.
        onProgress: () => {
          if (killed) return;
          killed = true;
          const r = spawnSync(
            path.join(postgresBinDir(), 'psql'),
            [
              api.db.url,
              '-Atc',
              `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '${APP}'`,
            ],
            { encoding: 'utf8' },
          );
          expect(r.stdout.trim()).toBe('1');
        },
      }),
    );
    await expect(failed).rejects.toThrow(/terminat|Connection|closed|ended/i);
    expect((await keysUnder(prefix)).filter((k) => k.endsWith('manifest.json'))).toEqual([]);

    const next = await exportDatabase(options(prefix));
    expect(next.manifest.tables.find((t) => t.name === 'entries')!.rows).toBe(300);
  });

  it('fails and writes no manifest when S3 refuses an upload mid-run', async () => {
    const prefix = `faults/${++run}`;
    await expect(
      exportDatabase(options(prefix, { s3: failingS3(/entries\.0000/) })),
    ).rejects.toThrow(/internal error/);
    expect((await keysUnder(prefix)).some((k) => k.endsWith('manifest.json'))).toBe(false);
  });

  it('stops before reading any table when the pre-flight check refuses the size', async () => {
    const prefix = `faults/${++run}`;
    let seen = 0;
    await expect(
      exportDatabase(
        options(prefix, {
          beforeExport: (bytes) => {
            seen = bytes;
            throw new BackupTooLargeError('too large for this test');
          },
        }),
      ),
    ).rejects.toThrow(BackupTooLargeError);
    expect(seen).toBeGreaterThan(0);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('fails when the manifest cannot be written, leaving no manifest', async () => {
    const prefix = `faults/${++run}`;
    await expect(
      exportDatabase(options(prefix, { s3: failingS3(/manifest\.json$/) })),
    ).rejects.toThrow(/internal error/);
    expect((await keysUnder(prefix)).some((k) => k.endsWith('manifest.json'))).toBe(false);
  });
});

describe('restore refuses a bad backup or target, leaving the target as it was', () => {
  let good: { manifest: Manifest; manifestKey: string };
  let target: TestDatabase;

  beforeAll(async () => {
    good = await exportDatabase(options(`refusals/good`));
  });
  beforeEach(async () => {
    target = await createTestDatabase({ migrate: false });
  });
  afterEach(async () => target.drop());

  const restore = (manifestKey: string) =>
    restoreBackup({
      s3: s3.client(),
      bucket: s3.bucket,
      manifestKey,
      connect: connectTo(target.url),
      verifier: localSigning().verifier,
    });
  const tablesOf = async () =>
    (
      await target.pool.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      )
    ).rows.map((r) => r.tablename);

  /**
   * Copies the good run under `prefix`, applying `change` to its objects and
   * manifest, and signs the changed manifest with the local key: these refusals are
   * about what the checksums, sizes and counts catch, behind a valid signature.
   */
  async function copyRun(
    prefix: string,
    change: (m: any, objects: Map<string, Buffer>) => void,
  ): Promise<string> {
    const client = s3.client();
    const objects = new Map<string, Buffer>();
    for (const o of good.manifest.tables.flatMap((t) => t.objects)) {
      const r = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.key }));
      objects.set(o.key, Buffer.from(await r.Body!.transformToByteArray()));
    }
    const manifest = structuredClone(good.manifest) as any;
    for (const t of manifest.tables)
      for (const o of t.objects) o.key = o.key.replace('refusals/good', prefix);
    const renamed = new Map([...objects].map(([k, v]) => [k.replace('refusals/good', prefix), v]));
    change(manifest, renamed);
    for (const [key, body] of renamed) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
    }
    const key = good.manifestKey.replace('refusals/good', prefix);
    delete manifest.signature;
    const signed = await signManifest(manifest, localSigning().signer);
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify(signed) }),
    );
    return key;
  }

  it('restores the untouched copy (the fixture is sound)', async () => {
    await restore(await copyRun('refusals/sound', () => undefined));
    const n = await target.pool.query('SELECT count(*)::int AS n FROM entries');
    expect(n.rows[0].n).toBe(300);
  });

  it('a tampered object, naming its key', async () => {
    const key = await copyRun('refusals/tampered', (_m, objects) => {
      const k = [...objects.keys()].find((x) => x.includes('entries'))!;
      // The gzip header's modification time: still valid gzip of the same size and
      // content, so only the SHA-256 check can tell.
      objects.get(k)![4] ^= 0xff;
    });
    await expect(restore(key)).rejects.toThrow(
      /refusals\/tampered\/.*entries\.0000\.copy\.gz.*SHA-256 mismatch/,
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('a truncated object, naming its key', async () => {
    const key = await copyRun('refusals/truncated', (_m, objects) => {
      const k = [...objects.keys()].find((x) => x.includes('entries'))!;
      objects.set(k, objects.get(k)!.subarray(0, 100));
    });
    await expect(restore(key)).rejects.toThrow(
      /refusals\/truncated\/.*entries\.0000\.copy\.gz: 100 bytes stored.*truncated/,
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('a missing object, naming its key', async () => {
    const key = await copyRun('refusals/missing', () => undefined);
    const victim = good.manifest.tables[0].objects[0].key.replace(
      'refusals/good',
      'refusals/missing',
    );
    await s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: victim }));
    await expect(restore(key)).rejects.toThrow(`${victim}: missing`);
    expect(await tablesOf()).toEqual([]);
  });

  it('a manifest whose row count is wrong', async () => {
    const key = await copyRun('refusals/count', (m) => {
      m.tables.find((t: any) => t.name === 'entries').rows = 301;
    });
    await expect(restore(key)).rejects.toThrow(
      'Table entries: loaded 300 rows, the manifest records 301',
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('a target that already holds content data, which it leaves untouched', async () => {
    const api2 = await ApiHarness.start(['other']);
    try {
      const before = await api2.snapshot();
      await expect(
        restoreBackup({
          s3: s3.client(),
          bucket: s3.bucket,
          manifestKey: good.manifestKey,
          connect: connectTo(api2.db.url),
          verifier: localSigning().verifier,
        }),
      ).rejects.toThrow(
        new RestoreError(
          'The target database already holds content data (table spaces has rows); restore only into an empty database',
        ),
      );
      expect(await api2.snapshot()).toBe(before);
    } finally {
      await api2.stop();
    }
  });

  it('a row a concurrent writer commits while the restore waits for its lock: refused, the row alone kept', async () => {
    const migrated = await createTestDatabase({ migrate: true });
    const writer = new Client({ connectionString: migrated.url });
    await writer.connect();
    const app = 'bulwark-restore-lock-test';
    try {
      // The writer's insert is not committed yet: a check outside the restore's
      // transaction would see an empty table and go on to load.
      await writer.query('BEGIN');
      await writer.query("INSERT INTO spaces (id) VALUES ('intruder')");
      const restoring = restoreBackup({
        s3: s3.client(),
        bucket: s3.bucket,
        manifestKey: good.manifestKey,
        connect: connectTo(`${migrated.url}?application_name=${app}`),
        verifier: localSigning().verifier,
      });
      restoring.catch(() => undefined);
      // Wait until the restore waits on the writer's lock, then let the writer commit.
      for (let i = 0; ; i++) {
        // Another connection: inside the writer's transaction the view would not change.
        const r = await migrated.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [app],
        );
        if (r.rows[0].n === 1) break;
        if (i > 200) throw new Error('the restore never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await writer.query('COMMIT');
      await expect(restoring).rejects.toThrow(
        'The target database already holds content data (table spaces has rows)',
      );
      const spaces = await migrated.pool.query('SELECT id FROM spaces');
      expect(spaces.rows).toEqual([{ id: 'intruder' }]);
      const entries = await migrated.pool.query('SELECT count(*)::int AS n FROM entries');
      expect(entries.rows[0].n).toBe(0);
    } finally {
      await writer.end();
      await migrated.drop();
    }
  });

  it('accepts a target where only the migrations ran', async () => {
    const migrated = await createTestDatabase({ migrate: true });
    try {
      await restoreBackup({
        s3: s3.client(),
        bucket: s3.bucket,
        manifestKey: good.manifestKey,
        connect: connectTo(migrated.url),
        verifier: localSigning().verifier,
      });
      const n = await migrated.pool.query('SELECT count(*)::int AS n FROM entries');
      expect(n.rows[0].n).toBe(300);
    } finally {
      await migrated.drop();
    }
  });

  it('a manifest that is not a Bulwark manifest', async () => {
    const key = await copyRun('refusals/format', (m) => {
      m.format = 'other/1';
    });
    await expect(restore(key)).rejects.toThrow(
      /Invalid manifest: format must be bulwark-backup\/1/,
    );
  });
});
