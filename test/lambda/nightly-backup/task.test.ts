import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GenerateMacCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { parseManifest } from '../../../lambda/nightly-backup/manifest';
import { TASK_ATTEMPTS, runExportTask } from '../../../lambda/nightly-backup/task';
import { main, taskDepsFromEnv } from '../../../lambda/nightly-backup/task-main';
import { SIGNING_KEY_ARN, answerKms, hmac, kms } from '../../support/kms-mac';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { type VersionedS3, versionedS3 } from '../../support/versioned-s3';
import { ApiHarness } from '../content-api/harness';

let s3: LocalS3;
let versioned: VersionedS3;
let api: ApiHarness;
let env: NodeJS.ProcessEnv;
const logged: Record<string, unknown>[] = [];
const savedEnv = { ...process.env };
/** CloudWatch has no local server: PutMetricData answers as documented (an empty result). */
const cloudWatch = mockClient(CloudWatchClient);

beforeAll(async () => {
  s3 = await startLocalS3();
  versioned = versionedS3(s3);
  api = await ApiHarness.start(['alpha']);
  const writer = await api.key('alpha', 'write');
  for (const title of ['one', 'two', 'three']) await api.entry('alpha', writer.key, title);
  // What the task definition sets, with the database as a URL and S3 as s3rver.
  env = {
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
    BACKUP_WORKERS: '3',
    BACKUP_DEADLINE_MINUTES: '60',
  };
  // The clients read the process's environment, as in the container.
  Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: 'INFO' });
  // The task logs JSON lines to stdout and stderr, which ECS sends to its log group.
  const keep = (chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      try {
        logged.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(keep);
  jest.spyOn(process.stderr, 'write').mockImplementation(keep);
});
beforeEach(() => {
  answerKms();
  cloudWatch.reset();
  cloudWatch.on(PutMetricDataCommand).resolves({});
  logged.length = 0;
});
afterAll(async () => {
  jest.restoreAllMocks();
  kms.restore();
  cloudWatch.restore();
  versioned.restore();
  process.env = savedEnv;
  await api.stop();
  await s3.stop();
});

const objectCount = async () =>
  (await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'backups/test/' })))
    .KeyCount ?? 0;
const noSleep = jest.fn(async () => undefined);

describe('the export task (backup.runner "fargate")', () => {
  it('writes a signed backup with the configured workers and publishes the freshness metric', async () => {
    expect(await main(env)).toBe(0);
    const written = logged.find((l) => l.message === 'Backup written')!;
    expect(written).toMatchObject({ workers: 3, attempt: 1, service: 'nightly-backup' });
    const r = await s3
      .client()
      .send(new GetObjectCommand({ Bucket: s3.bucket, Key: String(written.manifestKey) }));
    const manifest = parseManifest(await r.Body!.transformToString());
    expect(manifest.stage).toBe('test');
    expect(manifest.tables.find((t) => t.name === 'entries')!.rows).toBe(3);
    expect(manifest.signature).toMatchObject({ keyId: SIGNING_KEY_ARN });
    for (const object of manifest.tables.flatMap((t) => t.objects)) {
      expect(object.versionId).toBe(versioned.versions(object.key).at(-1));
    }
    const puts = cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0].Namespace).toBe('Bulwark/Backup');
    const byName = Object.fromEntries(puts[0].MetricData!.map((d) => [d.MetricName, d]));
    expect(byName.BackupSucceeded).toMatchObject({
      Value: 1,
      Unit: 'Count',
      Dimensions: [{ Name: 'service', Value: 'nightly-backup' }],
    });
    expect(byName.BackupRows.Value).toBeGreaterThanOrEqual(3);
    expect(byName.BackupBytes.Value).toBeGreaterThan(0);
    expect(Object.keys(byName).sort()).toEqual([
      'BackupBytes',
      'BackupRows',
      'BackupSeconds',
      'BackupSucceeded',
    ]);
  });

  it('retries a failed attempt, as the Lambda is retried, and succeeds on the next', async () => {
    // The first attempt's probe is throttled; KMS answers every later call.
    let calls = 0;
    kms.on(GenerateMacCommand).callsFake((input) => {
      if (calls++ === 0)
        throw Object.assign(new Error('KMS is throttling'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      return {
        Mac: new Uint8Array(hmac(input.Message)),
        KeyId: SIGNING_KEY_ARN,
        MacAlgorithm: 'HMAC_SHA_256',
      };
    });
    noSleep.mockClear();
    const code = await runExportTask({
      ...taskDepsFromEnv(env),
      sleep: noSleep,
      retryDelayMs: 5,
    });
    expect(code).toBe(0);
    expect(noSleep).toHaveBeenCalledTimes(1);
    expect(noSleep).toHaveBeenCalledWith(5);
    expect(logged.find((l) => l.message === 'Backup attempt failed; retrying')).toMatchObject({
      attempt: 1,
      error: 'KMS is throttling',
    });
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
  });

  it('exits 1 after its last attempt, publishing nothing', async () => {
    kms.on(GenerateMacCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: kms:GenerateMac'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    noSleep.mockClear();
    const before = await objectCount();
    expect(await runExportTask({ ...taskDepsFromEnv(env), sleep: noSleep })).toBe(1);
    expect(noSleep).toHaveBeenCalledTimes(TASK_ATTEMPTS - 1);
    expect(logged.filter((l) => l.message === 'Backup failed')).toHaveLength(1);
    const puts = cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    // Only the failure, which pages at once.
    expect(puts.map((p) => p.MetricData!.map((d) => [d.MetricName, d.Value]))).toEqual([
      [['BackupFailed', 1]],
    ]);
    expect(await objectCount()).toBe(before);
  });

  it('refuses at once, without retrying, a database that would not fit in half the time left', async () => {
    // The run started 59 min 59 s ago: a second of its 60 minutes is left.
    let calls = 0;
    const now = () => (calls++ === 0 ? 0 : 3_599_000);
    noSleep.mockClear();
    const before = await objectCount();
    expect(await runExportTask({ ...taskDepsFromEnv(env), now, sleep: noSleep })).toBe(1);
    expect(noSleep).not.toHaveBeenCalled();
    expect(logged.find((l) => l.message === 'Backup failed')!.error).toMatch(
      /more than half of the 0 min this run has\. Raise backup\.timeoutMinutes/,
    );
    expect(await objectCount()).toBe(before);
    const names = cloudWatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData!.map((d) => d.MetricName));
    expect(names).toEqual(['BackupFailed']);
  });

  it('gives up a run that passes its deadline, without retrying', async () => {
    let calls = 0;
    // 50 ms before the deadline, and a database that never answers.
    const now = () => (calls++ === 0 ? 0 : 3_600_000 - 50);
    noSleep.mockClear();
    const code = await runExportTask({
      ...taskDepsFromEnv(env),
      connect: () => new Promise(() => undefined),
      now,
      sleep: noSleep,
    });
    expect(code).toBe(1);
    expect(noSleep).not.toHaveBeenCalled();
    expect(logged.find((l) => l.message === 'Backup failed')!.error).toMatch(
      /did not finish within backup\.timeoutMinutes \(60 min\)/,
    );
  });

  it.each([
    ['BACKUP_WORKERS', '0', /BACKUP_WORKERS must be a positive whole number, not "0"/],
    ['BACKUP_DEADLINE_MINUTES', 'soon', /BACKUP_DEADLINE_MINUTES must be a positive whole number/],
    ['BACKUP_BUCKET', undefined, /BACKUP_BUCKET/],
  ])('exits 1 naming %s when it is %p', async (name, value, message) => {
    const broken = { ...env, [name]: value };
    expect(await runExportTask({ ...taskDepsFromEnv(env), env: broken })).toBe(1);
    expect(logged.map((l) => l.error).join('\n')).toMatch(message);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('exits 1 from the entry point when the signing key is not set', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main({ ...env, BACKUP_SIGNING_KEY_ARN: undefined })).toBe(1);
    expect(errors.mock.calls.flat().join('\n')).toMatch(/BACKUP_SIGNING_KEY_ARN/);
  });
});
