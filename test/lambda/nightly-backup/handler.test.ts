import type { Context } from 'aws-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { ApiHarness } from '../content-api/harness';

let s3: LocalS3;
let api: ApiHarness;
let handler: typeof import('../../../lambda/nightly-backup/handler').handler;
const published: string[] = [];
const savedEnv = { ...process.env };

const context = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['alpha']);
  const writer = await api.key('alpha', 'write');
  await api.entry('alpha', writer.key, 'hello');
  Object.assign(process.env, {
    DATABASE_URL: api.db.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    BACKUP_BUCKET: s3.bucket,
    BACKUP_PREFIX: 'backups/test',
    STAGE: 'test',
    BACKUP_KEY_ARN: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  // Metrics go to stdout in embedded metric format; keep the ones this test reads.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    published.push(String(chunk));
    return true;
  });
  ({ handler } = await import('../../../lambda/nightly-backup/handler'));
});
afterAll(async () => {
  jest.restoreAllMocks();
  process.env = savedEnv;
  await api.stop();
  await s3.stop();
});

describe('nightly-backup handler', () => {
  it('writes a backup and publishes BackupSucceeded with bytes, rows and seconds', async () => {
    const { manifestKey } = await handler({}, context(900_000));
    const manifest = await s3
      .client()
      .send(new GetObjectCommand({ Bucket: s3.bucket, Key: manifestKey }));
    expect(JSON.parse(await manifest.Body!.transformToString()).stage).toBe('test');
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

  it('fails at once, publishing nothing, when the database would not fit in half the time left', async () => {
    published.length = 0;
    await expect(handler({}, context(1))).rejects.toThrow(/more than half of the 0 min/);
    expect(published.some((line) => line.includes('BackupSucceeded'))).toBe(false);
  });
});
