import { loadStageConfigs, physicalNames } from '../../lib/config';
import { FRESHNESS_HOURS } from '../../lib/constructs/nightly-backup';
import { stageParts } from '../../lib/stage-layout';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const configOf = (stage: string) => configs.find((c) => c.title === stage)!;
const imported = (fragment: string) => ({ 'Fn::ImportValue': expect.stringContaining(fragment) });

describe.each(STAGES)('nightly backup (%s)', (stage) => {
  const t = template(stage, 'App');
  const cfg = configOf(stage);
  const fargate = cfg.backup.runner === 'fargate';
  /** The id prefix of the runner's role: the Lambda's or the Fargate task's. */
  const runnerRole = fargate ? 'NightlyBackupTaskTaskRole' : 'NightlyBackupFunction';
  const statements = () =>
    onlyResource(t, 'AWS::IAM::Policy', runnerRole).Properties.PolicyDocument.Statement;

  it('has exactly the runner its config names', () => {
    const functions = Object.keys(resourcesOf(t, 'AWS::Lambda::Function')).filter((id) =>
      id.startsWith('NightlyBackup'),
    );
    const tasks = Object.keys(resourcesOf(t, 'AWS::ECS::TaskDefinition'));
    expect([functions.length, tasks.length]).toEqual(fargate ? [0, 1] : [1, 0]);
  });

  it('runs in the App subnets with the backup security group, sized from the config', () => {
    if (fargate) {
      const task = onlyResource(t, 'AWS::ECS::TaskDefinition').Properties;
      expect([task.Cpu, task.Memory]).toEqual([
        String(cfg.backup.cpu),
        String(cfg.backup.memoryMiB),
      ]);
      const vpc = onlyResource(t, 'AWS::Scheduler::Schedule').Properties.Target.EcsParameters
        .NetworkConfiguration.AwsvpcConfiguration;
      expect(vpc).toMatchObject({
        Subnets: expect.arrayContaining([imported('AppSubnet1')]),
        SecurityGroups: [imported('SecurityGroupsBackupFunction')],
      });
      const env = task.ContainerDefinitions[0].Environment;
      expect(env).toEqual(
        expect.arrayContaining([
          { Name: 'BACKUP_PREFIX', Value: `backups/${cfg.name}` },
          { Name: 'DB_USER', Value: 'bulwark_backup' },
        ]),
      );
      return;
    }
    const fn = onlyResource(t, 'AWS::Lambda::Function', 'NightlyBackupFunction').Properties;
    expect(fn).toMatchObject({
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
        Arn: fargate
          ? { 'Fn::GetAtt': [expect.stringMatching(/^NightlyBackupTaskCluster/), 'Arn'] }
          : { 'Fn::GetAtt': [expect.stringMatching(/^NightlyBackupFunction/), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 },
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
    const viaS3 = kms.filter((s: any) => JSON.stringify(s.Condition ?? {}).includes('"s3.'));
    expect(viaS3.map((s: any) => s.Resource)).toEqual([imported('BackupKey')]);
    const connect = statements().find((s: any) => s.Action === 'rds-db:connect');
    expect(JSON.stringify(connect.Resource)).toContain('/bulwark_backup');
  });

  it('sends runs that failed their retries to the dead-letter queue, with its key (runner and schedule)', () => {
    const queue = onlyResource(t, 'AWS::SQS::Queue', 'NightlyBackupDeadLetters');
    const schedule = onlyResource(t, 'AWS::Scheduler::Schedule').Properties;
    const role = onlyResource(t, 'AWS::IAM::Role', 'NightlyBackupScheduleRole');
    expect(schedule.Target.RoleArn).toEqual({ 'Fn::GetAtt': [role.logicalId, 'Arn'] });
    const scheduleStatements = onlyResource(t, 'AWS::IAM::Policy', 'NightlyBackupScheduleRole')
      .Properties.PolicyDocument.Statement;
    // The task's failures page through BackupFailed; only the Lambda writes to the queue.
    for (const policy of fargate ? [scheduleStatements] : [statements(), scheduleStatements]) {
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

/** Every IAM statement of a stage's roles: inline, attached and managed policies. */
function identityStatements(stage: (typeof STAGES)[number]) {
  return stageParts(configOf(stage)).flatMap((part) => {
    const t = template(stage, part);
    const documents = [
      ...Object.entries(resourcesOf(t, 'AWS::IAM::Policy')).map(([id, p]) => ({
        id,
        roles: p.Properties.Roles,
        doc: p.Properties.PolicyDocument,
      })),
      ...Object.entries(resourcesOf(t, 'AWS::IAM::ManagedPolicy')).map(([id, p]) => ({
        id,
        roles: p.Properties.Roles,
        doc: p.Properties.PolicyDocument,
      })),
      ...Object.entries(resourcesOf(t, 'AWS::IAM::Role')).flatMap(([id, r]) =>
        (r.Properties.Policies ?? []).map((p: any) => ({
          id,
          roles: [{ Ref: id }],
          doc: p.PolicyDocument,
        })),
      ),
    ];
    return documents.flatMap((d) =>
      d.doc.Statement.map((statement: any) => ({ part, id: d.id, roles: d.roles, statement })),
    );
  });
}

/** Whether an IAM statement's actions cover `action` (wildcards included). */
const covers = (statement: any, action: string) =>
  statement.Effect === 'Allow' &&
  [statement.Action]
    .flat()
    .some((a: string) =>
      new RegExp(`^${a.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`, 'i').test(action),
    );

describe.each(STAGES)('manifest signing (BKP-VERIFY) (%s)', (stage) => {
  const data = template(stage, 'Data');
  const app = template(stage, 'App');
  const cfg = configOf(stage);
  const names = physicalNames(cfg);
  const key = () => onlyResource(data, 'AWS::KMS::Key', 'BackupSigningKey');
  const restoreRole = () => onlyResource(data, 'AWS::IAM::Role', 'BackupRestoreRole');
  const fargate = cfg.backup.runner === 'fargate';
  const backupRole = () => {
    if (fargate) {
      const task = onlyResource(app, 'AWS::ECS::TaskDefinition').Properties;
      return onlyResource(app, 'AWS::IAM::Role', task.TaskRoleArn['Fn::GetAtt'][0]);
    }
    const fn = onlyResource(app, 'AWS::Lambda::Function', 'NightlyBackupFunction');
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    return onlyResource(app, 'AWS::IAM::Role', roleId);
  };
  /** The runner's environment: the function's variables or the container's. */
  const runnerEnvironment = (): Record<string, unknown> =>
    fargate
      ? Object.fromEntries(
          onlyResource(
            app,
            'AWS::ECS::TaskDefinition',
          ).Properties.ContainerDefinitions[0].Environment.map(
            (e: { Name: string; Value: unknown }) => [e.Name, e.Value],
          ),
        )
      : onlyResource(app, 'AWS::Lambda::Function', 'NightlyBackupFunction').Properties.Environment
          .Variables;

  it('is a retained KMS HMAC_256 key for GenerateMac/VerifyMac, with its stage alias', () => {
    expect(key().Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      PendingWindowInDays: 30,
    });
    // KMS rejects automatic rotation for HMAC keys.
    expect(key().Properties.EnableKeyRotation).not.toBe(true);
    expect(key().DeletionPolicy).toBe('Retain');
    expect(key().UpdateReplacePolicy).toBe('Retain');
    const alias = Object.values(resourcesOf(data, 'AWS::KMS::Alias')).find(
      (a) => a.Properties.AliasName === `alias/${names.backupSigningKeyAlias}`,
    );
    expect(alias?.Properties.TargetKeyId).toEqual({ 'Fn::GetAtt': [key().logicalId, 'Arn'] });
  });

  it('is passed to the backup runner, whose role has the name the key policy admits', () => {
    expect(runnerEnvironment().BACKUP_SIGNING_KEY_ARN).toEqual(imported('BackupSigningKey'));
    expect(backupRole().Properties.RoleName).toBe(names.backupRole);
    expect(restoreRole().Properties.RoleName).toBe(names.backupRestoreRole);
  });

  it('key policy: denies GenerateMac to all but the backup role and VerifyMac to all but the restore role', () => {
    const statements = key().Properties.KeyPolicy.Statement;
    const deny = (action: string) =>
      statements.find((s: any) => s.Effect === 'Deny' && s.Action === action);
    expect(deny('kms:GenerateMac')).toMatchObject({
      Principal: { AWS: '*' },
      Resource: '*',
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': `arn:aws:iam::${cfg.account}:role/${names.backupRole}`,
        },
      },
    });
    expect(deny('kms:VerifyMac')).toMatchObject({
      Principal: { AWS: '*' },
      Resource: '*',
      Condition: {
        ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [restoreRole().logicalId, 'Arn'] } },
      },
    });
    // No statement of the key policy itself allows MACs to anyone but through IAM.
    const allowsMacs = statements.filter(
      (s: any) =>
        s.Effect === 'Allow' &&
        (covers(s, 'kms:GenerateMac') || covers(s, 'kms:VerifyMac')) &&
        JSON.stringify(s.Principal) !== JSON.stringify({ AWS: `arn:aws:iam::${cfg.account}:root` }),
    );
    expect(allowsMacs).toEqual([]);
  });

  it('only the backup role may GenerateMac and only the restore role may VerifyMac (IAM of every stack)', () => {
    const statements = identityStatements(stage);
    const granting = (action: string) =>
      statements
        .filter((s) => covers(s.statement, action))
        .map((s) => ({ part: s.part, roles: s.roles, resource: s.statement.Resource }));
    expect(granting('kms:GenerateMac')).toEqual([
      {
        part: 'App',
        roles: [{ Ref: backupRole().logicalId }],
        resource: imported('BackupSigningKey'),
      },
    ]);
    expect(granting('kms:VerifyMac')).toEqual([
      {
        part: 'Data',
        roles: [{ Ref: restoreRole().logicalId }],
        resource: { 'Fn::GetAtt': [key().logicalId, 'Arn'] },
      },
    ]);
  });

  it('the restore role: this account only; reads, decrypts through S3 and verifies, nothing more', () => {
    expect(restoreRole().Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${cfg.account}:root` },
      },
    ]);
    const mine = identityStatements(stage).filter((s) =>
      JSON.stringify(s.roles ?? []).includes(restoreRole().logicalId),
    );
    expect(mine.map((s) => [s.statement.Action].flat().sort())).toEqual([
      ['s3:ListBucket'],
      ['s3:GetObject', 's3:GetObjectVersion'],
      ['kms:Decrypt'],
      ['kms:VerifyMac'],
    ]);
    const objects = mine.find((s) => [s.statement.Action].flat().includes('s3:GetObject'))!;
    expect(JSON.stringify(objects.statement.Resource)).toContain(`/backups/${cfg.name}/*`);
    const decrypt = mine.find((s) => s.statement.Action === 'kms:Decrypt')!;
    expect(decrypt.statement.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `s3.${cfg.region}.amazonaws.com` },
    });
  });
});
