import type { Context } from 'aws-lambda';
import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { kmsVerifier } from '../../../lambda/nightly-backup/kms-verifier';
import { parseManifest } from '../../../lambda/nightly-backup/manifest';
import { restoreBackup } from '../../../lambda/nightly-backup/restore';
import { signingMessage } from '../../../lambda/nightly-backup/signing';
import { connectTo } from '../../../scripts/lib/backup-cli';
import { createTestDatabase } from '../../support/database';
import { SIGNING_KEY_ARN, answerKms, hmac, kms } from '../../support/kms-mac';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { type VersionedS3, versionedS3 } from '../../support/versioned-s3';
import { ApiHarness } from '../content-api/harness';

let s3: LocalS3;
let versioned: VersionedS3;
let api: ApiHarness;
let handler: typeof import('../../../lambda/nightly-backup/handler').handler;
const published: string[] = [];
const savedEnv = { ...process.env };

const context = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

beforeAll(async () => {
  s3 = await startLocalS3();
  // The deployed vault is versioned, and the function requires version ids.
  versioned = versionedS3(s3);
  api = await ApiHarness.start(['alpha']);
  const writer = await api.key('alpha', 'write');
  await api.entry('alpha', writer.key, 'hello');
  Object.assign(process.env, {
    DATABASE_URL: api.db.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true',
    BACKUP_BUCKET: s3.bucket,
    BACKUP_PREFIX: 'backups/test',
    STAGE: 'test',
    BACKUP_KEY_ARN: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    BACKUP_SIGNING_KEY_ARN: SIGNING_KEY_ARN,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  // Metrics go to stdout in embedded metric format; keep the ones this test reads.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    published.push(String(chunk));
    return true;
  });
  ({ handler } = await import('../../../lambda/nightly-backup/handler'));
});
beforeEach(answerKms);
afterAll(async () => {
  jest.restoreAllMocks();
  kms.restore();
  versioned.restore();
  process.env = savedEnv;
  await api.stop();
  await s3.stop();
});

const readManifest = async (key: string) => {
  const r = await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return parseManifest(await r.Body!.transformToString());
};

describe('nightly-backup handler', () => {
  let manifestKey = '';

  it('writes a backup and publishes BackupSucceeded with bytes, rows and seconds', async () => {
    ({ manifestKey } = await handler({}, context(900_000)));
    expect((await readManifest(manifestKey)).stage).toBe('test');
    const emf = published
      .map((line) => line.trim())
      .find((line) => line.includes('BackupSucceeded'));
    expect(JSON.parse(emf!)).toMatchObject({
      BackupSucceeded: 1,
      BackupRows: expect.any(Number),
      BackupBytes: expect.any(Number),
      BackupSeconds: expect.any(Number),
      _aws: { CloudWatchMetrics: [{ Namespace: 'Bulwark/Backup' }] },
    });
  });

  it('signs the manifest with KMS GenerateMac on the key in BACKUP_SIGNING_KEY_ARN, recording every version id', async () => {
    const manifest = await readManifest(manifestKey);
    const { manifestKey: key } = await handler({}, context(900_000));
    const signed = await readManifest(key);
    const calls = kms.commandCalls(GenerateMacCommand).map((c) => c.args[0].input);
    // A probe before any table is read, then the manifest.
    expect(calls).toHaveLength(2);
    for (const input of calls) {
      expect(input).toMatchObject({ KeyId: SIGNING_KEY_ARN, MacAlgorithm: 'HMAC_SHA_256' });
    }
    expect(Buffer.from(calls[1].Message!)).toEqual(signingMessage(signed));
    expect(signed.signature).toEqual({
      algorithm: 'HMAC_SHA_256',
      keyId: SIGNING_KEY_ARN,
      value: hmac(signingMessage(signed)).toString('base64'),
    });
    for (const object of [...signed.tables, ...manifest.tables].flatMap((t) => t.objects)) {
      expect(object.versionId).toBe(versioned.versions(object.key).at(-1));
    }
  });

  it('restores with KMS VerifyMac, reading exactly the recorded versions', async () => {
    const target = await createTestDatabase({ migrate: false });
    try {
      versioned.reads.length = 0;
      await restoreBackup({
        s3: s3.client(),
        bucket: s3.bucket,
        manifestKey,
        connect: connectTo(target.url),
        verifier: kmsVerifier(new KMSClient({}), 'alias/bulwark-test-backup-signing'),
        requireVersionIds: true,
      });
      const verify = kms.commandCalls(VerifyMacCommand).map((c) => c.args[0].input);
      expect(verify).toHaveLength(1);
      expect(verify[0]).toMatchObject({
        KeyId: 'alias/bulwark-test-backup-signing',
        MacAlgorithm: 'HMAC_SHA_256',
      });
      const manifest = await readManifest(manifestKey);
      const byKey = (a: { key: string; command: string }, b: { key: string; command: string }) =>
        `${a.key} ${a.command}`.localeCompare(`${b.key} ${b.command}`);
      const expected = manifest.tables
        .flatMap((t) => t.objects)
        .flatMap((o) =>
          (['HeadObject', 'GetObject'] as const).map((command) => ({
            command,
            key: o.key,
            versionId: o.versionId,
          })),
        );
      expect(expected.every((r) => r.versionId)).toBe(true);
      expect(versioned.reads.filter((r) => r.key !== manifestKey).sort(byKey)).toEqual(
        expected.sort(byKey),
      );
      const n = await target.pool.query('SELECT count(*)::int AS n FROM entries');
      expect(n.rows[0].n).toBe(1);
    } finally {
      await target.drop();
    }
  });

  it('refuses a manifest whose MAC KMS does not verify, leaving the target empty', async () => {
    const manifest = JSON.parse(
      await (
        await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: manifestKey }))
      ).Body!.transformToString(),
    );
    // Raised by one, the old signature kept: as someone who may only put objects could.
    manifest.tables.find((t: any) => t.name === 'entries').rows = 2;
    await s3.client().send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: manifestKey,
        Body: JSON.stringify(manifest),
      }),
    );
    const target = await createTestDatabase({ migrate: false });
    try {
      await expect(
        restoreBackup({
          s3: s3.client(),
          bucket: s3.bucket,
          manifestKey,
          connect: connectTo(target.url),
          verifier: kmsVerifier(new KMSClient({}), SIGNING_KEY_ARN),
          requireVersionIds: true,
        }),
      ).rejects.toThrow(
        `${manifestKey}: the manifest signature does not verify with KMS key ${SIGNING_KEY_ARN}`,
      );
      const tables = await target.pool.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
      );
      expect(tables.rows[0].n).toBe(0);
    } finally {
      await target.drop();
    }
  });

  it('fails before reading any table, writing nothing, when KMS refuses to sign', async () => {
    kms.on(GenerateMacCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: kms:GenerateMac'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const before = await s3
      .client()
      .send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'backups/test/' }));
    await expect(handler({}, context(900_000))).rejects.toThrow(
      /not authorized to perform: kms:GenerateMac/,
    );
    const after = await s3
      .client()
      .send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'backups/test/' }));
    expect(after.KeyCount).toBe(before.KeyCount);
  });

  it('fails at once, publishing nothing, when the database would not fit in half the time left', async () => {
    published.length = 0;
    await expect(handler({}, context(1))).rejects.toThrow(/more than half of the 0 min/);
    expect(published.some((line) => line.includes('BackupSucceeded'))).toBe(false);
  });
});
