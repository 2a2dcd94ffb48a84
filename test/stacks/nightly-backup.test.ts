import { loadStageConfigs } from '../../lib/config';
import { FRESHNESS_HOURS } from '../../lib/constructs/nightly-backup';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const configOf = (stage: string) => configs.find((c) => c.title === stage)!;
const imported = (fragment: string) => ({ 'Fn::ImportValue': expect.stringContaining(fragment) });

describe.each(STAGES)('nightly backup (%s)', (stage) => {
  const t = template(stage, 'App');
  const cfg = configOf(stage);
  const fn = () => onlyResource(t, 'AWS::Lambda::Function', 'NightlyBackupFunction').Properties;
  const statements = () =>
    onlyResource(t, 'AWS::IAM::Policy', 'NightlyBackupFunction').Properties.PolicyDocument
      .Statement;

  it('runs in the App subnets with the backup security group, sized from the config', () => {
    expect(fn()).toMatchObject({
      Timeout: cfg.backup.timeoutMinutes * 60,
      MemorySize: cfg.backup.memoryMiB,
      ReservedConcurrentExecutions: 1,
      VpcConfig: {
        SubnetIds: expect.arrayContaining([imported('AppSubnet1')]),
        SecurityGroupIds: [imported('SecurityGroupsBackupFunction')],
      },
      DeadLetterConfig: { TargetArn: expect.anything() },
      Environment: {
        Variables: expect.objectContaining({
          BACKUP_PREFIX: `backups/${cfg.name}`,
          DB_USER: 'bulwark_backup',
        }),
      },
    });
  });

  it('starts daily at the configured UTC time, with retries and a dead-letter queue', () => {
    const [hour, minute] = cfg.backup.scheduleUtc.split(':').map(Number);
    const schedule = onlyResource(t, 'AWS::Scheduler::Schedule').Properties;
    expect(schedule).toMatchObject({
      ScheduleExpression: `cron(${minute} ${hour} * * ? *)`,
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyBackupFunction/), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyBackupDeadLetters/), 'Arn'] },
        },
      },
    });
  });

  it('may write only new objects under its prefix, encrypted with the backup key through S3', () => {
    const s3 = statements().find((s: any) => [s.Action].flat().includes('s3:PutObject'));
    expect([s3.Action].flat().sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    expect(JSON.stringify(s3.Resource)).toContain(`/backups/${cfg.name}/*`);
    const actions = statements().flatMap((s: any) => [s.Action].flat());
    for (const forbidden of ['s3:GetObject', 's3:DeleteObject', 's3:PutObjectRetention', 's3:*']) {
      expect(actions).not.toContain(forbidden);
    }
    const kms = statements().filter((s: any) => JSON.stringify(s.Action).includes('kms:'));
    const viaS3 = kms.filter((s: any) => JSON.stringify(s.Condition).includes('"s3.'));
    expect(viaS3.map((s: any) => s.Resource)).toEqual([imported('BackupKey')]);
    const connect = statements().find((s: any) => s.Action === 'rds-db:connect');
    expect(JSON.stringify(connect.Resource)).toContain('/bulwark_backup');
  });

  it('sends runs that failed their retries to the dead-letter queue, with its key (function and schedule)', () => {
    const queue = onlyResource(t, 'AWS::SQS::Queue', 'NightlyBackupDeadLetters');
    const schedule = onlyResource(t, 'AWS::Scheduler::Schedule').Properties;
    const role = onlyResource(t, 'AWS::IAM::Role', 'NightlyBackupScheduleRole');
    expect(schedule.Target.RoleArn).toEqual({ 'Fn::GetAtt': [role.logicalId, 'Arn'] });
    const scheduleStatements = onlyResource(t, 'AWS::IAM::Policy', 'NightlyBackupScheduleRole')
      .Properties.PolicyDocument.Statement;
    for (const policy of [statements(), scheduleStatements]) {
      const send = policy.find((s: any) => s.Action === 'sqs:SendMessage');
      expect(send.Resource).toEqual({ 'Fn::GetAtt': [queue.logicalId, 'Arn'] });
      const key = policy.find((s: any) => JSON.stringify(s.Condition ?? {}).includes('"sqs.'));
      expect([key.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(key.Resource).toEqual(queue.Properties.KmsMasterKeyId);
    }
  });

  it(`pages when no backup succeeded for ${FRESHNESS_HOURS} hours, missing data breaching`, () => {
    const alarm = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .find((a) => a.MetricName === 'BackupSucceeded')!;
    expect(alarm).toMatchObject({
      Namespace: 'Bulwark/Backup',
      Statistic: 'Sum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [imported('AlertTopic')],
    });
    expect(alarm.Period * alarm.EvaluationPeriods).toBe(FRESHNESS_HOURS * 3600);
  });

  it('pages when an invocation lands in the dead-letter queue', () => {
    const alarm = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .find(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions).includes('NightlyBackupDeadLetters'),
      );
    expect(alarm).toMatchObject({ Threshold: 1, AlarmActions: [imported('AlertTopic')] });
  });
});
