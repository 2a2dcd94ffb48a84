import { aws, answerFrom, compliantWorld, ids, resultOf, stageConfig, verify } from './fixtures';

const DOCUMENT = 'break-glass sessions are recorded to CloudWatch Logs and S3, encrypted';
const ALARM = 'break-glass role assumption alarm pages the alert topic';
const cfg = stageConfig('staging');
const i = ids(cfg);

/** The world with the session document's inputs changed. */
function withInputs(change: (inputs: Record<string, unknown>) => void) {
  const world = compliantWorld(cfg);
  const doc = world.sessionDocuments[i.sessionDocument];
  const content = JSON.parse(doc.Content!);
  change(content.inputs);
  doc.Content = JSON.stringify(content);
  return world;
}

describe('npm run verify: break-glass access', () => {
  it('passes the deployed session document and the assumption alarm', async () => {
    answerFrom(compliantWorld(cfg));

    const { results } = await verify(['--stage', 'staging']);

    expect(resultOf(results, DOCUMENT)).toMatchObject({ control: 'MON-AUDIT', result: 'PASS' });
    expect(resultOf(results, DOCUMENT).evidence).toContain(`key ${i.sessionKey}`);
    expect(resultOf(results, ALARM)).toMatchObject({ control: 'MON-ALERT', result: 'PASS' });
    expect(aws.ssm.calls()[0].args[0].input).toEqual({ Name: i.sessionDocument });
  });

  it.each([
    [
      'S3 encryption off',
      (x: Record<string, unknown>) => (x.s3EncryptionEnabled = false),
      's3EncryptionEnabled not true',
    ],
    [
      'no streaming',
      (x: Record<string, unknown>) => delete x.cloudWatchStreamingEnabled,
      'cloudWatchStreamingEnabled not true',
    ],
    ['no key', (x: Record<string, unknown>) => delete x.kmsKeyId, 'no kmsKeyId'],
    [
      'another bucket',
      (x: Record<string, unknown>) => (x.s3BucketName = 'somewhere-else'),
      's3BucketName somewhere-else',
    ],
    [
      'a day-long session',
      (x: Record<string, unknown>) => (x.maxSessionDuration = '1440'),
      'maxSessionDuration 1440',
    ],
  ])('fails a session document with %s', async (_, change, problem) => {
    answerFrom(withInputs(change));

    const { code, results } = await verify(['--stage', 'staging']);

    expect(code).toBe(1);
    expect(resultOf(results, DOCUMENT).result).toBe('FAIL');
    expect(resultOf(results, DOCUMENT).evidence).toContain(problem);
  });

  it('fails when the document does not exist, with the error', async () => {
    const world = compliantWorld(cfg);
    world.sessionDocuments = {};
    answerFrom(world);

    const { results } = await verify(['--stage', 'staging']);

    expect(resultOf(results, DOCUMENT)).toMatchObject({
      result: 'FAIL',
      evidence: 'InvalidDocument: Document with name does not exist.',
    });
  });

  it('fails an alarm whose actions are disabled or that is gone', async () => {
    const world = compliantWorld(cfg);
    world.alarms[i.breakGlassAlarm].ActionsEnabled = false;
    answerFrom(world);
    expect(resultOf((await verify(['--stage', 'staging'])).results, ALARM).evidence).toContain(
      'actions disabled',
    );

    world.alarms = Object.fromEntries(
      Object.entries(world.alarms).filter(([name]) => name !== i.breakGlassAlarm),
    );
    answerFrom(world);
    expect(resultOf((await verify(['--stage', 'staging'])).results, ALARM)).toMatchObject({
      result: 'FAIL',
      evidence: `${i.breakGlassAlarm} not found in CloudWatch`,
    });
  });
});
