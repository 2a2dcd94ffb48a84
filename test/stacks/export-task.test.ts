import { loadStageConfigs, physicalNames } from '../../lib/config';
import { FARGATE_TASK_SIZES } from '../../lib/config/schema';
import { CONTAINER_IMAGE_ENDPOINTS } from '../../lib/constructs/isolated-network';
import { EXPORT_DOCKERFILE, EXPORT_TASK_USER } from '../../lib/constructs/export-image';
import { taskWorkers } from '../../lib/constructs/export-task';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const configOf = (stage: string) => configs.find((c) => c.title === stage)!;
const imported = (fragment: string) => ({ 'Fn::ImportValue': expect.stringContaining(fragment) });
const runner = (stage: string) => configOf(stage).backup.runner;
const FARGATE = STAGES.filter((s) => runner(s) === 'fargate');
const LAMBDA = STAGES.filter((s) => runner(s) === 'lambda');

it('the shipped config has a stage of each runner', () => {
  expect([FARGATE.length > 0, LAMBDA.length > 0]).toEqual([true, true]);
});

describe.each(FARGATE)('nightly export task (%s, backup.runner "fargate")', (stage) => {
  const t = template(stage, 'App');
  const cfg = configOf(stage);
  const task = () => onlyResource(t, 'AWS::ECS::TaskDefinition').Properties;
  const container = () => task().ContainerDefinitions[0];
  const env = () =>
    Object.fromEntries(
      container().Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]),
    );
  const roleOf = (arn: any) => onlyResource(t, 'AWS::IAM::Role', arn['Fn::GetAtt'][0]);
  const policyOf = (role: { logicalId: string }) =>
    Object.values(resourcesOf(t, 'AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(role.logicalId),
    )!.Properties.PolicyDocument.Statement;

  it('is a Fargate task for arm64 sized from the config, in an allowed CPU/memory pair', () => {
    expect(task()).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: String(cfg.backup.cpu),
      Memory: String(cfg.backup.memoryMiB),
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(FARGATE_TASK_SIZES[cfg.backup.cpu!]).toContain(cfg.backup.memoryMiB);
  });

  it('runs the export image as an unprivileged user on a read-only root, logging to an encrypted group', () => {
    expect(container()).toMatchObject({
      Essential: true,
      User: EXPORT_TASK_USER,
      ReadonlyRootFilesystem: true,
      LogConfiguration: { LogDriver: 'awslogs' },
    });
    expect(container().Privileged).toBeUndefined();
    const group = container().LogConfiguration.Options['awslogs-group'].Ref;
    const logs = onlyResource(t, 'AWS::Logs::LogGroup', group).Properties;
    expect(logs.KmsKeyId).toEqual(expect.anything());
    expect(logs.RetentionInDays).toBe(cfg.logRetentionDays);
    // The image: the bundle of the export's entry point on the Lambda runtime's Node.js.
    expect(EXPORT_DOCKERFILE).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:24$/m);
    expect(EXPORT_DOCKERFILE).not.toMatch(/^RUN /m);
    expect(EXPORT_DOCKERFILE).toMatch(/^USER 65534:65534$/m);
  });

  it('exports with more workers where it has more vCPUs, and stops itself at the configured deadline', () => {
    expect(env()).toMatchObject({
      BACKUP_PREFIX: `backups/${cfg.name}`,
      DB_USER: 'bulwark_backup',
      STAGE: cfg.name,
      AWS_REGION: cfg.region,
      BACKUP_WORKERS: String(taskWorkers(cfg.backup.cpu!)),
      BACKUP_DEADLINE_MINUTES: String(cfg.backup.timeoutMinutes),
      BACKUP_SIGNING_KEY_ARN: imported('BackupSigningKey'),
    });
    expect([256, 1024, 2048, 4096, 8192, 16384].map(taskWorkers)).toEqual([2, 2, 2, 4, 8, 8]);
    // Names only: no secret in the task definition.
    expect(Object.keys(env()).filter((k) => /SECRET|PASSWORD|TOKEN/.test(k))).toEqual([]);
  });

  it('is started daily in the App subnets with the backup security group and no public address', () => {
    const target = onlyResource(t, 'AWS::Scheduler::Schedule').Properties.Target;
    expect(target.EcsParameters).toMatchObject({
      LaunchType: 'FARGATE',
      TaskDefinitionArn: { Ref: onlyResource(t, 'AWS::ECS::TaskDefinition').logicalId },
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [imported('SecurityGroupsBackupFunction')],
          Subnets: expect.arrayContaining([imported('AppSubnet1')]),
        },
      },
    });
  });

  it("has a task role of the signer's name, trusted by ECS tasks of this account only", () => {
    const role = roleOf(task().TaskRoleArn);
    expect(role.Properties.RoleName).toBe(physicalNames(cfg).backupRole);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': cfg.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:ecs:${cfg.region}:${cfg.account}:*` },
        },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('task role: connect as the backup user, write its prefix, sign, publish its metrics; nothing more', () => {
    const statements = policyOf(roleOf(task().TaskRoleArn));
    expect(statements.map((s: any) => [s.Action].flat().sort())).toEqual([
      ['cloudwatch:PutMetricData'],
      ['rds-db:connect'],
      ['s3:AbortMultipartUpload', 's3:PutObject'],
      ['kms:Decrypt', 'kms:GenerateDataKey'],
      ['kms:GenerateMac'],
    ]);
    const metrics = statements.find((s: any) => s.Action === 'cloudwatch:PutMetricData');
    expect(metrics.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': 'Bulwark/Backup' },
    });
  });

  it('execution role: pulls the image and writes the log group, nothing more', () => {
    const statements = policyOf(roleOf(task().ExecutionRoleArn));
    const actions = statements.flatMap((s: any) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const wildcard = statements.filter((s: any) => s.Resource === '*');
    expect(wildcard.map((s: any) => s.Action)).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('pages at once when the task reports a failed run, and when it could not be started', () => {
    const alarms = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.find((a) => a.MetricName === 'BackupFailed')).toMatchObject({
      Namespace: 'Bulwark/Backup',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [imported('AlertTopic')],
    });
    const role = onlyResource(t, 'AWS::IAM::Policy', 'NightlyBackupScheduleRole').Properties
      .PolicyDocument.Statement;
    const run = role.find((s: any) => s.Action === 'ecs:RunTask');
    expect(run.Resource).toEqual({ Ref: onlyResource(t, 'AWS::ECS::TaskDefinition').logicalId });
    const pass = role.find((s: any) => s.Action === 'iam:PassRole');
    expect(pass.Resource).toHaveLength(2);
  });

  it('the cluster records Container Insights', () => {
    const cluster = onlyResource(t, 'AWS::ECS::Cluster').Properties;
    expect(cluster.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
  });
});

describe.each(STAGES)('image endpoints (%s)', (stage) => {
  const services = () =>
    Object.values(resourcesOf(template(stage, 'Network'), 'AWS::EC2::VPCEndpoint')).map((e) =>
      JSON.stringify(e.Properties.ServiceName),
    );

  it('exist only where the export runs as a Fargate task', () => {
    const expected = runner(stage) === 'fargate' ? 1 : 0;
    expect(Object.keys(CONTAINER_IMAGE_ENDPOINTS)).toEqual(['EcrApi', 'EcrDocker']);
    for (const svc of ['.ecr.api"', '.ecr.dkr"']) {
      expect(services().filter((s) => s.includes(svc))).toHaveLength(expected);
    }
  });
});
