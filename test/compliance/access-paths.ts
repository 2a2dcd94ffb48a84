import type { StageConfig } from '../../lib/config';
import { physicalNames } from '../../lib/config';
import {
  API_DB_USER,
  BACKUP_DB_USER,
  OPERATOR_DB_USER,
  OUTBOX_DB_USER,
} from '../../lib/constructs/database';
import type { ContextValue, PolicyDocument, Principal } from '../support/iam/policy-evaluator';
import type { ModelResource, StageModel } from '../support/iam/stage-model';
import { breakGlassPaths } from './break-glass-paths';

/**
 * Every access path a deployed stage depends on, as requests an evaluator can judge
 * against the synthesized policies: each AWS call each function's code makes (with
 * the calls Lambda makes with the function's role: dead-letter queues, queue
 * polling, traces, logs), and each delivery an AWS service makes into an encrypted
 * resource (CloudTrail, S3 replication, alarms, EventBridge, SNS redrive, CloudWatch
 * Logs for every log group WAF, CloudFront and the functions write to, S3 and ALB
 * access logs, CloudFront's Origin Access Control, AWS Config). Besides them, the
 * denials the design promises.
 *
 * Request context follows what each service documents it sends: `kms:ViaService`
 * when a service calls KMS for the caller, `aws:SourceArn`/`aws:SourceAccount` where
 * the service documents them for confused-deputy protection, and the encryption
 * context CloudTrail and CloudWatch Logs use.
 */
export interface AccessPath {
  /** What the path is, for the test name. */
  readonly name: string;
  /** Who calls: a function's role, a role of the stage, or a service principal. */
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  /** Account of the resource (the stage's, unless said otherwise). */
  readonly resourceAccount?: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
  /**
   * Identity policies of a principal the templates do not define (an account
   * administrator, say), to prove what a resource policy denies whatever IAM allows.
   */
  readonly identity?: readonly PolicyDocument[];
}

/** The functions whose code's AWS calls are proven, with their handler under `lambda/`. */
export const FUNCTIONS = {
  'content-api': { part: 'App', prefix: 'ContentApiFunction', entry: 'content-api/handler.ts' },
  'outbox-drainer': {
    part: 'App',
    prefix: 'InvalidationOutboxDrainer',
    entry: 'content-api/outbox-drainer.ts',
  },
  'nightly-backup': {
    part: 'App',
    prefix: 'NightlyBackupFunction',
    entry: 'nightly-backup/handler.ts',
  },
  'schema-migrator': {
    part: 'App',
    prefix: 'SchemaMigratorFunction',
    entry: 'schema-migrator/handler.ts',
  },
  'cdn-invalidator': {
    part: 'App',
    prefix: 'CdnInvalidatorFunction',
    entry: 'cdn-invalidator/handler.ts',
  },
  'threat-response': {
    part: 'Security',
    prefix: 'ThreatResponseFunction',
    entry: 'threat-response/handler.ts',
  },
  'people-jwks': { part: 'Security', prefix: 'PeopleJwksReader', entry: 'people-jwks/handler.ts' },
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

/** The nightly export as a Fargate task (`backup.runner: "fargate"`), with its container's entry. */
export const EXPORT_TASK = {
  part: 'App',
  prefix: 'NightlyBackupTaskTaskDefinition',
  entry: 'nightly-backup/task-entry.ts',
} as const;

/** What runs code whose calls are proven: a function, or the export task. */
export type RunnerName = FunctionName | 'export-task';

/** The entry point under `lambda/` of a runner's code. */
export const entryOf = (name: RunnerName): string =>
  name === 'export-task' ? EXPORT_TASK.entry : FUNCTIONS[name].entry;

/** The functions a stage has: the backup function only with the Lambda runner. */
export const stageFunctions = (cfg: StageConfig): FunctionName[] =>
  (Object.keys(FUNCTIONS) as FunctionName[]).filter(
    (name) => name !== 'nightly-backup' || cfg.backup.runner === 'lambda',
  );

/** A function's code calls, as proven paths: the function and each path's IAM action. */
export interface FunctionCalls {
  readonly fn: RunnerName;
  readonly paths: readonly AccessPath[];
}

const svc = (service: string): Principal => ({ kind: 'service', service });

/** The key policy names these roles by ARN: their names must be the ones it expects. */
function expectNamed(roleArn: string, name: string): void {
  if (roleArn.split(':role/')[1] !== name) {
    throw new Error(`role ${roleArn} should be named ${name} (the signing key's policy names it)`);
  }
}

/** The access paths of one stage, grouped by who needs them. */
export function stageAccessPaths(model: StageModel, cfg: StageConfig) {
  const account = model.account;
  const primary = cfg.region;
  const role = (arn: string): Principal => ({ kind: 'role', arn, account });
  const fn = (name: FunctionName) =>
    model.only(FUNCTIONS[name].part, 'AWS::Lambda::Function', FUNCTIONS[name].prefix);
  const roleOf = (name: FunctionName) => role(model.functionRole(fn(name)));
  const arn = (part: string, type: string, prefix: string) =>
    model.arnOf(model.only(part, type, prefix));
  const keyOfQueue = (q: ModelResource) => q.properties.KmsMasterKeyId as string;
  const via = (service: string, region: string = primary) => ({
    'kms:ViaService': `${service}.${region}.amazonaws.com`,
  });
  const queue = (part: string, prefix: string) => model.only(part, 'AWS::SQS::Queue', prefix);
  const send = (who: string, principal: Principal, q: ModelResource): AccessPath[] => [
    {
      name: `${who}: sqs:SendMessage to ${q.logicalId}`,
      principal,
      action: 'sqs:SendMessage',
      resource: model.arnOf(q),
    },
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      name: `${who}: ${action} on ${q.logicalId}'s key through SQS`,
      principal,
      action,
      resource: keyOfQueue(q),
      context: via('sqs', q.region),
    })),
  ];
  const dbUser = (user: string) => {
    const proxy = model.only('Data', 'AWS::RDS::DBProxy', 'DatabasePrimaryProxy');
    const proxyId = model.arnOf(proxy).split(':')[6];
    return `arn:aws:rds-db:${primary}:${account}:dbuser:${proxyId}/${user}`;
  };
  const backupBucket = model.only('Data', 'AWS::S3::Bucket', 'BackupBucket');
  const backupObject = (key: string) => `${model.arnOf(backupBucket)}/${key}`;
  const backupKey = arn('Data', 'AWS::KMS::Key', 'BackupKey');
  const signingKey = arn('Data', 'AWS::KMS::Key', 'BackupSigningKey');
  const restoreRoleArn = arn('Data', 'AWS::IAM::Role', 'BackupRestoreRole');
  const restoreRole = role(restoreRoleArn);
  const dataKey = arn('Data', 'AWS::KMS::Key', 'DataKey');
  const auditKey = arn('Security', 'AWS::KMS::Key', 'AuditKey');
  const alertTopic = arn('Security', 'AWS::SNS::Topic', 'AlertTopic');
  const runKey = `backups/${cfg.name}/2026/01/02/run-1/`;

  /** Lambda itself, with the function's role: traces, logs, its dead-letter queue. */
  const lambdaCalls = (name: FunctionName): AccessPath[] => {
    const f = fn(name);
    const principal = roleOf(name);
    const logGroup = f.properties.LoggingConfig?.LogGroup as string | undefined;
    const dlq = f.properties.DeadLetterConfig?.TargetArn as string | undefined;
    const dlqResource =
      dlq && model.resources('AWS::SQS::Queue').find((q) => model.arnOf(q) === dlq);
    return [
      {
        name: `${name}: xray:PutTraceSegments`,
        principal,
        action: 'xray:PutTraceSegments',
        resource: '*',
      },
      ...(logGroup
        ? [
            {
              name: `${name}: logs:PutLogEvents to its log group`,
              principal,
              action: 'logs:PutLogEvents',
              resource: `arn:aws:logs:${f.region}:${account}:log-group:${logGroup}:log-stream:2026/01/02/[$LATEST]0`,
            },
          ]
        : []),
      ...(dlqResource ? send(`${name} (failed asynchronous event)`, principal, dlqResource) : []),
    ];
  };

  /** What the export needs, whichever runner's role `principal` is. */
  const exportPaths = (who: string, principal: Principal): AccessPath[] => [
    {
      name: `${who}: rds-db:connect as bulwark_backup`,
      principal,
      action: 'rds-db:connect',
      resource: dbUser(BACKUP_DB_USER),
    },
    ...['s3:PutObject', 's3:AbortMultipartUpload'].map((action) => ({
      name: `${who}: ${action} under backups/${cfg.name}/`,
      principal,
      action,
      resource: backupObject(`${runKey}content.entries.0.copy.gz`),
      context: { 's3:x-amz-server-side-encryption': 'aws:kms' },
    })),
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      name: `${who}: ${action} of the backup key through S3`,
      principal,
      action,
      resource: backupKey,
      context: via('s3'),
    })),
    {
      name: `${who}: kms:GenerateMac with the signing key (the manifest signature)`,
      principal,
      action: 'kms:GenerateMac',
      resource: signingKey,
    },
  ];

  /** The role the stage's backup runner exports with (the function's or the task's). */
  const backupRunnerRole = () =>
    cfg.backup.runner === 'lambda'
      ? model.functionRole(fn('nightly-backup'))
      : (exportTask().properties.TaskRoleArn as string);

  /** The export task, its role named as the signing key's policy expects. */
  const exportTask = () =>
    model.only(EXPORT_TASK.part, 'AWS::ECS::TaskDefinition', EXPORT_TASK.prefix);

  /** The backup runner's calls: the Lambda's, or the Fargate task's and its execution role's. */
  function backupCalls(): FunctionCalls {
    if (cfg.backup.runner === 'lambda') {
      return {
        fn: 'nightly-backup',
        paths: [
          ...lambdaCalls('nightly-backup'),
          ...exportPaths('nightly-backup', roleOf('nightly-backup')),
        ],
      };
    }
    const task = exportTask();
    const taskRole = role(task.properties.TaskRoleArn);
    const executionRole = role(task.properties.ExecutionRoleArn);
    const container = task.properties.ContainerDefinitions[0];
    const logGroup = container.LogConfiguration.Options['awslogs-group'];
    const image = String(container.Image);
    const [registry, repository] = [image.split('/')[0], image.split('/')[1].split(':')[0]];
    const repositoryArn = `arn:aws:ecr:${registry.split('.')[3]}:${registry.split('.')[0]}:repository/${repository}`;
    return {
      fn: 'export-task',
      paths: [
        ...exportPaths('export-task', taskRole),
        {
          name: 'export-task: cloudwatch:PutMetricData in the backup namespace',
          principal: taskRole,
          action: 'cloudwatch:PutMetricData',
          resource: '*',
          context: { 'cloudwatch:namespace': 'Bulwark/Backup' },
        },
        {
          name: 'export-task execution role: ecr:GetAuthorizationToken',
          principal: executionRole,
          action: 'ecr:GetAuthorizationToken',
          resource: '*',
        },
        ...[
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchGetImage',
        ].map((action) => ({
          name: `export-task execution role: ${action} of the image's repository`,
          principal: executionRole,
          action,
          resource: repositoryArn,
        })),
        ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
          name: `export-task execution role: ${action} to the task's log group`,
          principal: executionRole,
          action,
          resource: `arn:aws:logs:${primary}:${account}:log-group:${logGroup}:log-stream:export/Export/0`,
        })),
      ],
    };
  }

  const calls: FunctionCalls[] = [
    {
      fn: 'content-api',
      paths: [
        ...lambdaCalls('content-api'),
        {
          name: 'content-api: rds-db:connect as bulwark_api',
          principal: roleOf('content-api'),
          action: 'rds-db:connect',
          resource: dbUser(API_DB_USER),
        },
        {
          name: 'content-api: secretsmanager:GetSecretValue of the key pepper',
          principal: roleOf('content-api'),
          action: 'secretsmanager:GetSecretValue',
          resource: arn('Data', 'AWS::SecretsManager::Secret', 'ApiKeyPepper'),
        },
        {
          name: "content-api: kms:Decrypt of the pepper's key through Secrets Manager",
          principal: roleOf('content-api'),
          action: 'kms:Decrypt',
          resource: dataKey,
          context: via('secretsmanager'),
        },
        ...send('content-api', roleOf('content-api'), queue('App', 'InvalidationQueue7')),
      ],
    },
    {
      fn: 'outbox-drainer',
      paths: [
        ...lambdaCalls('outbox-drainer'),
        {
          name: 'outbox-drainer: rds-db:connect as bulwark_outbox',
          principal: roleOf('outbox-drainer'),
          action: 'rds-db:connect',
          resource: dbUser(OUTBOX_DB_USER),
        },
        ...send('outbox-drainer', roleOf('outbox-drainer'), queue('App', 'InvalidationQueue7')),
      ],
    },
    backupCalls(),
    {
      fn: 'schema-migrator',
      paths: [
        ...lambdaCalls('schema-migrator'),
        {
          name: 'schema-migrator: secretsmanager:GetSecretValue of the master secret',
          principal: roleOf('schema-migrator'),
          action: 'secretsmanager:GetSecretValue',
          resource: arn('Data', 'AWS::SecretsManager::Secret', 'DatabaseSecret'),
        },
        {
          name: "schema-migrator: kms:Decrypt of the master secret's key through Secrets Manager",
          principal: roleOf('schema-migrator'),
          action: 'kms:Decrypt',
          resource: dataKey,
          context: via('secretsmanager'),
        },
      ],
    },
    {
      fn: 'cdn-invalidator',
      paths: [
        ...lambdaCalls('cdn-invalidator'),
        {
          name: 'cdn-invalidator: ssm:GetParameter of the distribution id (us-east-1)',
          principal: roleOf('cdn-invalidator'),
          action: 'ssm:GetParameter',
          resource: arn('Edge', 'AWS::SSM::Parameter', 'DistributionIdParameter'),
        },
        {
          name: 'cdn-invalidator: cloudfront:CreateInvalidation of the distribution',
          principal: roleOf('cdn-invalidator'),
          action: 'cloudfront:CreateInvalidation',
          resource: arn('Edge', 'AWS::CloudFront::Distribution', 'Distribution'),
        },
        // Lambda polls the queue with the function's role (the event source mapping).
        ...[
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ].map((action) => ({
          name: `cdn-invalidator (event source): ${action} on the invalidation queue`,
          principal: roleOf('cdn-invalidator'),
          action,
          resource: model.arnOf(queue('App', 'InvalidationQueue7')),
        })),
        {
          name: "cdn-invalidator (event source): kms:Decrypt of the queue's key through SQS",
          principal: roleOf('cdn-invalidator'),
          action: 'kms:Decrypt',
          resource: keyOfQueue(queue('App', 'InvalidationQueue7')),
          context: via('sqs'),
        },
      ],
    },
    {
      fn: 'threat-response',
      paths: [
        ...lambdaCalls('threat-response'),
        ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'].map(
          (action) => ({
            name: `threat-response: ${action} on the blocklist table`,
            principal: roleOf('threat-response'),
            action,
            resource: arn('Security', 'AWS::DynamoDB::Table', 'ThreatResponseBlocklist'),
          }),
        ),
        {
          name: 'threat-response: dynamodb:Query on the expiry index',
          principal: roleOf('threat-response'),
          action: 'dynamodb:Query',
          resource: `${arn('Security', 'AWS::DynamoDB::Table', 'ThreatResponseBlocklist')}/index/byExpiry`,
        },
        ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
          name: `threat-response: ${action} of the table key through DynamoDB`,
          principal: roleOf('threat-response'),
          action,
          resource: auditKey,
          context: via('dynamodb'),
        })),
        ...(['App', 'Edge'] as const).flatMap((part) => [
          ...['FirewallBlockedV4', 'FirewallBlockedV6'].flatMap((set) =>
            ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'].map((action) => ({
              name: `threat-response: ${action} on ${part}'s ${set.slice(8)} set`,
              principal: roleOf('threat-response'),
              action,
              resource: arn(part, 'AWS::WAFv2::IPSet', set),
            })),
          ),
          {
            name: `threat-response: ssm:GetParameter of ${part}'s blocklist location`,
            principal: roleOf('threat-response'),
            action: 'ssm:GetParameter',
            resource: arn(part, 'AWS::SSM::Parameter', 'FirewallBlocklistAccessParameter'),
          },
        ]),
        {
          name: 'threat-response: sns:Publish to the alert topic',
          principal: roleOf('threat-response'),
          action: 'sns:Publish',
          resource: alertTopic,
        },
        ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
          name: `threat-response: ${action} of the topic key through SNS`,
          principal: roleOf('threat-response'),
          action,
          resource: auditKey,
          context: via('sns'),
        })),
      ],
    },
    { fn: 'people-jwks', paths: lambdaCalls('people-jwks') },
  ];

  const breakGlass = breakGlassPaths(model, cfg);
  return {
    calls,
    deliveries: deliveries(),
    operators: [...operators(), ...breakGlass.operators],
    denials: [...denials(), ...breakGlass.denials],
  };

  /**
   * What people do with the stage's roles: restore a backup (npm run restore); the
   * break-glass path is in `break-glass-paths.ts`.
   */
  function operators(): AccessPath[] {
    const object = backupObject(`${runKey}entries.0000.copy.gz`);
    return [
      {
        name: 'restore role: s3:ListBucket of the vault (a missing object reads as 404)',
        principal: restoreRole,
        action: 's3:ListBucket',
        resource: model.arnOf(backupBucket),
      },
      ...['s3:GetObject', 's3:GetObjectVersion'].map((action) => ({
        name: `restore role: ${action} of a backup under backups/${cfg.name}/`,
        principal: restoreRole,
        action,
        resource: object,
      })),
      {
        name: 'restore role: kms:Decrypt of the backup key through S3',
        principal: restoreRole,
        action: 'kms:Decrypt',
        resource: backupKey,
        context: via('s3'),
      },
      {
        name: 'restore role: kms:VerifyMac with the signing key',
        principal: restoreRole,
        action: 'kms:VerifyMac',
        resource: signingKey,
      },
    ];
  }

  /** What AWS services deliver into the stage's encrypted resources. */
  function deliveries(): AccessPath[] {
    const paths: AccessPath[] = [];

    // EventBridge Scheduler starts the backup with the schedule's role.
    const schedule = model.only('App', 'AWS::Scheduler::Schedule', 'NightlyBackupSchedule');
    const scheduleRole = role(schedule.properties.Target.RoleArn);
    if (cfg.backup.runner === 'lambda') {
      paths.push({
        name: 'backup schedule: lambda:InvokeFunction of the backup function',
        principal: scheduleRole,
        action: 'lambda:InvokeFunction',
        resource: model.arnOf(fn('nightly-backup')),
      });
    } else {
      const task = exportTask();
      const cluster = model.only('App', 'AWS::ECS::Cluster', 'NightlyBackupTaskCluster');
      paths.push({
        name: 'backup schedule: ecs:RunTask of the export task definition',
        principal: scheduleRole,
        action: 'ecs:RunTask',
        resource: model.arnOf(task),
        context: { 'ecs:cluster': model.arnOf(cluster) },
      });
      for (const [which, arn] of [
        ['task', task.properties.TaskRoleArn],
        ['execution', task.properties.ExecutionRoleArn],
      ]) {
        paths.push({
          name: `backup schedule: iam:PassRole of the export's ${which} role to ECS tasks`,
          principal: scheduleRole,
          action: 'iam:PassRole',
          resource: arn,
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        });
      }
    }
    paths.push(
      ...send(
        'backup schedule (failed run)',
        scheduleRole,
        queue('App', 'NightlyBackupDeadLetters'),
      ),
    );

    // EventBridge rules: their targets and dead-letter queues. EventBridge documents
    // no aws:SourceArn/aws:SourceAccount on the KMS calls SNS and SQS make for it.
    for (const rule of model.resources('AWS::Events::Rule')) {
      const ruleArn = model.arnOf(rule);
      for (const target of rule.properties.Targets ?? []) {
        const source = { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': account };
        const who = `EventBridge rule ${rule.logicalId}`;
        if (String(target.Arn).includes(':lambda:')) {
          paths.push({
            name: `${who}: lambda:InvokeFunction of its target`,
            principal: svc('events.amazonaws.com'),
            action: 'lambda:InvokeFunction',
            resource: target.Arn,
            context: source,
          });
        } else if (String(target.Arn).includes(':sns:')) {
          paths.push({
            name: `${who}: sns:Publish to its topic`,
            principal: svc('events.amazonaws.com'),
            action: 'sns:Publish',
            resource: target.Arn,
            context: source,
          });
          paths.push(...topicKey(who, 'events.amazonaws.com', target.Arn, {}));
        }
        const dlq = target.DeadLetterConfig?.Arn;
        if (dlq) {
          const q = model.resources('AWS::SQS::Queue').find((x) => model.arnOf(x) === dlq)!;
          paths.push({
            name: `${who} (undeliverable event): sqs:SendMessage to ${q.logicalId}`,
            principal: svc('events.amazonaws.com'),
            action: 'sqs:SendMessage',
            resource: dlq,
            context: source,
          });
          paths.push(...queueKey(who, 'events.amazonaws.com', q, {}));
        }
      }
    }

    // Every alarm publishes to its topic as cloudwatch.amazonaws.com.
    for (const alarm of model.resources('AWS::CloudWatch::Alarm')) {
      const alarmArn = model.arnOf(alarm);
      for (const topic of alarm.properties.AlarmActions ?? []) {
        const source = { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': account };
        const who = `alarm ${alarm.part}/${alarm.logicalId}`;
        paths.push({
          name: `${who}: sns:Publish to its topic`,
          principal: svc('cloudwatch.amazonaws.com'),
          action: 'sns:Publish',
          resource: topic,
          context: source,
        });
        paths.push(...topicKey(who, 'cloudwatch.amazonaws.com', topic, source));
      }
    }

    // SNS redrives what a subscription could not deliver into its dead-letter queue.
    for (const sub of model.resources('AWS::SNS::Subscription')) {
      const dlq = sub.properties.RedrivePolicy?.deadLetterTargetArn;
      if (!dlq) continue;
      const q = model.resources('AWS::SQS::Queue').find((x) => model.arnOf(x) === dlq)!;
      const source = { 'aws:SourceArn': sub.properties.TopicArn, 'aws:SourceAccount': account };
      const who = `SNS redrive of ${sub.part}/${sub.logicalId}`;
      paths.push({
        name: `${who}: sqs:SendMessage to ${q.logicalId}`,
        principal: svc('sns.amazonaws.com'),
        action: 'sqs:SendMessage',
        resource: dlq,
        context: source,
      });
      paths.push(...queueKey(who, 'sns.amazonaws.com', q, source));
    }

    // CloudWatch Logs encrypts every log group with its key (WAF, CloudFront, flow
    // logs, RDS, functions and the trail write into them).
    for (const group of model.resources('AWS::Logs::LogGroup')) {
      const key = group.properties.KmsKeyId;
      if (!key) continue;
      const name = model.ref(group.part, group.logicalId);
      const context = {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${group.region}:${account}:log-group:${name}`,
      };
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt']) {
        paths.push({
          name: `CloudWatch Logs: ${action} for ${group.part}/${group.logicalId}`,
          principal: svc(`logs.${group.region}.amazonaws.com`),
          action,
          resource: key,
          context,
        });
      }
    }

    paths.push(
      ...cloudTrail(),
      ...replication(),
      ...accessLogs(),
      ...originAccess(),
      ...awsConfig(),
    );
    return paths;
  }

  function topicKey(
    who: string,
    service: string,
    topicArn: string,
    source: Record<string, string>,
  ): AccessPath[] {
    const topic = model.resources('AWS::SNS::Topic').find((t) => model.arnOf(t) === topicArn);
    if (!topic?.properties.KmsMasterKeyId) return [];
    return ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      name: `${who}: ${action} of ${topic.part}/${topic.logicalId}'s key`,
      principal: svc(service),
      action,
      resource: topic.properties.KmsMasterKeyId,
      context: source,
    }));
  }

  function queueKey(
    who: string,
    service: string,
    q: ModelResource,
    source: Record<string, string>,
  ): AccessPath[] {
    return ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      name: `${who}: ${action} of ${q.logicalId}'s key`,
      principal: svc(service),
      action,
      resource: keyOfQueue(q),
      context: source,
    }));
  }

  /** CloudTrail into its key and bucket, and into CloudWatch Logs through its role. */
  function cloudTrail(): AccessPath[] {
    const trail = model.only('Security', 'AWS::CloudTrail::Trail', 'AuditTrail');
    const trailArn = model.arnOf(trail);
    const bucket = model.only('Security', 'AWS::S3::Bucket', 'AuditTrailBucket');
    const source = { 'aws:SourceArn': trailArn, 'aws:SourceAccount': account };
    const encryption = { ...source, 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn };
    const ct = svc('cloudtrail.amazonaws.com');
    const logsRole = role(trail.properties.CloudWatchLogsRoleArn);
    return [
      {
        name: 'CloudTrail: kms:GenerateDataKey for a log file',
        principal: ct,
        action: 'kms:GenerateDataKey',
        resource: auditKey,
        context: encryption,
      },
      // DescribeKey carries no encryption context.
      {
        name: 'CloudTrail: kms:DescribeKey of its key',
        principal: ct,
        action: 'kms:DescribeKey',
        resource: auditKey,
        context: source,
      },
      // The trail bucket uses an S3 Bucket Key: S3 decrypts the bucket key for CloudTrail.
      {
        name: 'CloudTrail: kms:Decrypt of the S3 Bucket Key',
        principal: ct,
        action: 'kms:Decrypt',
        resource: auditKey,
        context: encryption,
      },
      {
        name: 'CloudTrail: s3:GetBucketAcl of its bucket',
        principal: ct,
        action: 's3:GetBucketAcl',
        resource: model.arnOf(bucket),
        context: source,
      },
      {
        name: 'CloudTrail: s3:PutObject of a log file',
        principal: ct,
        action: 's3:PutObject',
        resource: `${model.arnOf(bucket)}/AWSLogs/${account}/CloudTrail/${primary}/2026/01/02/x.json.gz`,
        context: { ...source, 's3:x-amz-acl': 'bucket-owner-full-control' },
      },
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
        name: `CloudTrail (logs role): ${action} into the trail's log group`,
        principal: logsRole,
        action,
        resource: `${trail.properties.CloudWatchLogsLogGroupArn.replace(/:\*$/, '')}:log-stream:${account}_CloudTrail_${primary}`,
      })),
    ];
  }

  /** S3 replication of the backup vault into the recovery region. */
  function replication(): AccessPath[] {
    const r = role(arn('Data', 'AWS::IAM::Role', 'BackupReplicationRole'));
    const names = physicalNames(cfg);
    const replica = model.only('Recovery', 'AWS::S3::Bucket', 'BackupReplicaBucket');
    const replicaKey = arn('Recovery', 'AWS::KMS::Key', 'BackupReplicaKey');
    const object = backupObject(`${runKey}manifest.json`);
    return [
      ...['s3:GetReplicationConfiguration', 's3:ListBucket'].map((action) => ({
        name: `S3 replication: ${action} of the vault`,
        principal: r,
        action,
        resource: model.arnOf(backupBucket),
      })),
      ...[
        's3:GetObjectVersionForReplication',
        's3:GetObjectVersionAcl',
        's3:GetObjectVersionTagging',
        's3:GetObjectRetention',
        's3:GetObjectLegalHold',
      ].map((action) => ({
        name: `S3 replication: ${action} of a backup`,
        principal: r,
        action,
        resource: object,
      })),
      ...['s3:ReplicateObject', 's3:ReplicateTags'].map((action) => ({
        name: `S3 replication: ${action} into the replica vault`,
        principal: r,
        action,
        resource: `${model.arnOf(replica)}/${runKey}manifest.json`,
      })),
      {
        name: 'S3 replication: kms:Decrypt of the backup key through S3',
        principal: r,
        action: 'kms:Decrypt',
        resource: backupKey,
        context: via('s3'),
      },
      ...['kms:Encrypt', 'kms:GenerateDataKey'].map((action) => ({
        name: `S3 replication: ${action} of the replica key through S3 (recovery region)`,
        principal: r,
        action,
        resource: replicaKey,
        context: { ...via('s3', cfg.drRegion), 'kms:ResourceAliases': [names.replicaKeyAlias] },
      })),
    ];
  }

  /** S3 server access logs and the load balancer's access logs. */
  function accessLogs(): AccessPath[] {
    const paths: AccessPath[] = [];
    for (const bucket of model.resources('AWS::S3::Bucket')) {
      const target = bucket.properties.LoggingConfiguration?.DestinationBucketName;
      if (!target) continue;
      const prefix = bucket.properties.LoggingConfiguration.LogFilePrefix ?? '';
      paths.push({
        name: `S3 server access logging of ${bucket.part}/${bucket.logicalId}`,
        principal: svc('logging.s3.amazonaws.com'),
        action: 's3:PutObject',
        resource: `arn:aws:s3:::${target}/${prefix}2026-01-02-00-00-00-0123456789ABCDEF`,
        context: { 'aws:SourceArn': model.arnOf(bucket), 'aws:SourceAccount': account },
      });
    }
    const alb = model.only('App', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'LoadBalancer');
    const attrs = Object.fromEntries(
      (alb.properties.LoadBalancerAttributes ?? []).map((a: any) => [a.Key, a.Value]),
    );
    const policy = model.only('Data', 'AWS::S3::BucketPolicy', 'AccessLogBucketPolicy');
    const elbPrincipal = JSON.stringify(policy.properties.PolicyDocument).match(
      /"AWS":"arn:aws:iam::(\d{12}):root"/,
    );
    const elbAccount = elbPrincipal?.[1] ?? 'no ELB account in the access-log bucket policy';
    paths.push({
      name: 'Elastic Load Balancing: s3:PutObject of an access log',
      principal: { kind: 'role', arn: `arn:aws:iam::${elbAccount}:root`, account: elbAccount },
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${attrs['access_logs.s3.bucket']}/${attrs['access_logs.s3.prefix']}/AWSLogs/${account}/elasticloadbalancing/${primary}/2026/01/02/log.gz`,
    });
    return paths;
  }

  /** CloudFront reads assets through Origin Access Control. */
  function originAccess(): AccessPath[] {
    const distribution = arn('Edge', 'AWS::CloudFront::Distribution', 'Distribution');
    const source = { 'AWS:SourceArn': distribution, 'AWS:SourceAccount': account };
    const assets = model.only('Data', 'AWS::S3::Bucket', 'AssetsBucket');
    return [
      {
        name: 'CloudFront (OAC): s3:GetObject of an asset',
        principal: svc('cloudfront.amazonaws.com'),
        action: 's3:GetObject',
        resource: `${model.arnOf(assets)}/assets/logo.png`,
        context: source,
      },
      {
        name: 'CloudFront (OAC): kms:Decrypt of the assets key through S3',
        principal: svc('cloudfront.amazonaws.com'),
        action: 'kms:Decrypt',
        resource: arn('Data', 'AWS::KMS::Key', 'AssetsKey'),
        context: { ...source, ...via('s3') },
      },
    ];
  }

  /** AWS Config delivers history and snapshots into its bucket with the audit key. */
  function awsConfig(): AccessPath[] {
    if (cfg.awsConfig !== 'create') return [];
    const bucket = model.only('Security', 'AWS::S3::Bucket', 'ConfigBucket');
    const source = { 'AWS:SourceAccount': account };
    const config = svc('config.amazonaws.com');
    return [
      ...['s3:GetBucketAcl', 's3:ListBucket'].map((action) => ({
        name: `AWS Config: ${action} of its bucket`,
        principal: config,
        action,
        resource: model.arnOf(bucket),
        context: source,
      })),
      {
        name: 'AWS Config: s3:PutObject of a snapshot',
        principal: config,
        action: 's3:PutObject',
        resource: `${model.arnOf(bucket)}/AWSLogs/${account}/Config/${primary}/2026/1/2/ConfigSnapshot/x.json.gz`,
        context: { ...source, 's3:x-amz-acl': 'bucket-owner-full-control' },
      },
      ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        name: `AWS Config: ${action} of the audit key`,
        principal: config,
        action,
        resource: auditKey,
        context: source,
      })),
    ];
  }

  /** What the design promises no one can do. */
  function denials(): AccessPath[] {
    const api = roleOf('content-api');
    const backup = role(backupRunnerRole());
    const object = backupObject(`${runKey}manifest.json`);
    const paths: AccessPath[] = [
      ...['s3:GetObject', 's3:GetObjectVersion'].map((action) => ({
        name: `the content API cannot ${action} a backup`,
        principal: api,
        action,
        resource: object,
      })),
      {
        name: 'the content API cannot list the backup vault',
        principal: api,
        action: 's3:ListBucket',
        resource: model.arnOf(backupBucket),
      },
      {
        name: 'the content API cannot decrypt with the backup key',
        principal: api,
        action: 'kms:Decrypt',
        resource: backupKey,
        context: via('s3'),
      },
      {
        name: 'the content API cannot connect as bulwark_backup',
        principal: api,
        action: 'rds-db:connect',
        resource: dbUser(BACKUP_DB_USER),
      },
      {
        name: 'the backup cannot connect as bulwark_api',
        principal: backup,
        action: 'rds-db:connect',
        resource: dbUser(API_DB_USER),
      },
      {
        name: 'the content API cannot connect as bulwark_outbox',
        principal: api,
        action: 'rds-db:connect',
        resource: dbUser(OUTBOX_DB_USER),
      },
      ...[API_DB_USER, BACKUP_DB_USER].map((user) => ({
        name: `the outbox drainer cannot connect as ${user}`,
        principal: roleOf('outbox-drainer'),
        action: 'rds-db:connect',
        resource: dbUser(user),
      })),
      // Only the break-glass path may sign in as the audited operator: no function, no task.
      ...stageFunctions(cfg).map((name) => ({
        name: `${name} cannot connect as ${OPERATOR_DB_USER}`,
        principal: roleOf(name),
        action: 'rds-db:connect',
        resource: dbUser(OPERATOR_DB_USER),
      })),
      ...(cfg.backup.runner === 'fargate'
        ? [
            {
              name: `export-task cannot connect as ${OPERATOR_DB_USER}`,
              principal: role(backupRunnerRole()),
              action: 'rds-db:connect',
              resource: dbUser(OPERATOR_DB_USER),
            },
          ]
        : []),
      {
        name: 'the outbox drainer cannot read the key pepper',
        principal: roleOf('outbox-drainer'),
        action: 'secretsmanager:GetSecretValue',
        resource: arn('Data', 'AWS::SecretsManager::Secret', 'ApiKeyPepper'),
      },
      ...[
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutObjectRetention',
        's3:PutObjectLegalHold',
        's3:BypassGovernanceRetention',
        's3:GetObject',
        's3:PutBucketPolicy',
        's3:PutLifecycleConfiguration',
        's3:PutBucketObjectLockConfiguration',
      ].map((action) => ({
        name: `the backup cannot ${action} in the vault`,
        principal: backup,
        action,
        resource:
          action.includes('Bucket') || action.includes('Lifecycle')
            ? model.arnOf(backupBucket)
            : object,
      })),
      ...[`backups/other-stage/x`, `elsewhere/${cfg.name}/x`, 'manifest.json'].map((key) => ({
        name: `the backup cannot write ${key} (outside backups/${cfg.name}/)`,
        principal: backup,
        action: 's3:PutObject',
        resource: backupObject(key),
      })),
      {
        name: 'the backup cannot write into the assets bucket',
        principal: backup,
        action: 's3:PutObject',
        resource: `${arn('Data', 'AWS::S3::Bucket', 'AssetsBucket')}/assets/x`,
      },
      ...(['App', 'Edge'] as const).flatMap((part) =>
        ['FirewallTrustedV4', 'FirewallTrustedV6'].map((set) => ({
          name: `threat response cannot change ${part}'s trusted ${set.slice(-2)} set`,
          principal: roleOf('threat-response'),
          action: 'wafv2:UpdateIPSet',
          resource: arn(part, 'AWS::WAFv2::IPSet', set),
        })),
      ),
    ];
    // Nothing but the backup runner may put under backups/.
    for (const r of model.resources('AWS::IAM::Role')) {
      const arnOfRole = model.arnOf(r);
      if (arnOfRole === backupRunnerRole()) continue;
      paths.push({
        name: `${r.part}/${r.logicalId} cannot put under backups/`,
        principal: role(arnOfRole),
        action: 's3:PutObject',
        resource: object,
      });
    }
    // Only the backup runner signs manifests and only the restore role verifies them,
    // every other role of the stage and an account administrator included.
    const administrator: AccessPath['identity'] = [
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    ];
    const adminRole = role(`arn:aws:iam::${account}:role/Administrator`);
    const signer = backupRunnerRole();
    const names = physicalNames(cfg);
    expectNamed(signer, names.backupRole);
    expectNamed(restoreRoleArn, names.backupRestoreRole);
    for (const [action, allowed] of [
      ['kms:GenerateMac', signer],
      ['kms:VerifyMac', restoreRoleArn],
    ] as const) {
      for (const r of model.resources('AWS::IAM::Role')) {
        const arnOfRole = model.arnOf(r);
        if (arnOfRole === allowed) continue;
        paths.push({
          name: `${r.part}/${r.logicalId} cannot ${action} with the signing key`,
          principal: role(arnOfRole),
          action,
          resource: signingKey,
        });
      }
      paths.push({
        name: `an account administrator (Allow * on *) cannot ${action} with the signing key`,
        principal: adminRole,
        action,
        resource: signingKey,
        identity: administrator,
      });
    }
    paths.push({
      name: 'the backup cannot kms:VerifyMac (it signs; only restore verifies)',
      principal: backup,
      action: 'kms:VerifyMac',
      resource: signingKey,
    });
    return paths;
  }
}
