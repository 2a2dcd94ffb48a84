import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BACKUP_METRICS_NAMESPACE,
  BACKUP_SERVICE_NAME,
} from '../../lambda/nightly-backup/telemetry';
import {
  acknowledge,
  acknowledgeOnceCreated,
  nagResourceName,
} from '../compliance/acknowledgements';
import type { StageConfig } from '../config';
import { BACKUP_DB_USER, proxyConnectionEnv } from './database';
import { grantQueueSend } from './queue-access';
import { ExportTask } from './export-task';
import { SecureFunction } from './secure-function';
import { deadLetterAlarm, topicAlarm } from './topic-alarm';

/** Properties of a {@link NightlyBackup}. */
export interface NightlyBackupProps {
  /** Stage name: the key prefix is `backups/<stage>`. */
  readonly stageName: string;
  /** Runner, schedule, timeout, memory and CPU from the stage config. */
  readonly backup: StageConfig['backup'];
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The backup security group: proxy, endpoints and S3 only. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** RDS Proxy in front of the primary. */
  readonly proxy: rds.IDatabaseProxy;
  /** The object-locked backup bucket. */
  readonly bucket: s3.IBucket;
  /** Key of the backup objects (SSE-KMS). */
  readonly backupKey: kms.IKey;
  /**
   * KMS HMAC key that signs each manifest (`kms:GenerateMac`); its policy admits
   * the function's role by name, {@link signerRoleName}.
   */
  readonly signingKey: kms.IKey;
  /** Physical name of the runner's role (the function's or the task's), the one the signing key's policy names. */
  readonly signerRoleName: string;
  /** Key of the function's log group and dead-letter queue. */
  readonly logKey: kms.IKey;
  readonly logRetentionDays: number;
  /** Topic of the freshness and failure alarms. */
  readonly alertTopic: sns.ITopic;
}

/** Key prefix of a stage's backups. */
export const backupPrefix = (stageName: string) => `backups/${stageName}`;

/** Hours without a successful backup after which on-call is paged (BKP-VERIFY). */
export const FRESHNESS_HOURS = 26;
const FRESHNESS_PERIOD_HOURS = 2;

/**
 * The nightly logical export (BKP-DAILY, BKP-VERIFY), run by a Lambda
 * (`backup.runner: "lambda"`) or an ECS Fargate task (`"fargate"`) in the App subnets
 * with the backup security group. Either connects through the proxy as the read-only
 * backup user, writes only under its prefix of the backup bucket and signs each
 * manifest with the KMS HMAC key; EventBridge Scheduler starts it daily with retries
 * and a dead-letter queue. On-call is paged when no backup succeeded for 26 hours
 * (missing data counts as breaching), when a run is given up after its retries, and
 * (the task) when it could not be started.
 */
export class NightlyBackup extends Construct {
  /** The Lambda runner (`backup.runner: "lambda"`). */
  readonly function?: SecureFunction;
  /** The Fargate runner (`backup.runner: "fargate"`). */
  readonly task?: ExportTask;
  readonly schedule: scheduler.Schedule;
  /** The role the schedule starts the runner and reaches its dead-letter queue with. */
  readonly scheduleRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly freshnessAlarm: cloudwatch.Alarm;
  /** Key prefix of this stage's backups. */
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: NightlyBackupProps) {
    super(scope, id);
    this.prefix = backupPrefix(props.stageName);
    const stack = Stack.of(this);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryptionMasterKey: props.logKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'queueDeadLetterQueue');
    acknowledge(this.deadLetterQueue, 'importedKeyQueue');
    const environment = {
      BACKUP_BUCKET: props.bucket.bucketName,
      BACKUP_PREFIX: this.prefix,
      BACKUP_KEY_ARN: props.backupKey.keyArn,
      BACKUP_SIGNING_KEY_ARN: props.signingKey.keyArn,
      STAGE: props.stageName,
      ...proxyConnectionEnv(props.proxy, BACKUP_DB_USER),
      POWERTOOLS_SERVICE_NAME: BACKUP_SERVICE_NAME,
    };
    // The schedule's own role: Scheduler starts the runner and, once its retries
    // are spent, sends the event to the dead-letter queue with it (queue key included).
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: `Bulwark ${props.stageName}: EventBridge Scheduler starts the nightly backup`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const retries = {
      role: this.scheduleRole,
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
      deadLetterQueue: this.deadLetterQueue,
    };

    let role: iam.IRole;
    let target: scheduler.IScheduleTarget;
    if (props.backup.runner === 'fargate') {
      const task = new ExportTask(this, 'Task', {
        vpc: props.vpc,
        cpu: props.backup.cpu!,
        memoryMiB: props.backup.memoryMiB,
        roleName: props.signerRoleName,
        environment,
        deadlineMinutes: props.backup.timeoutMinutes,
        logKey: props.logKey,
        logRetentionDays: props.logRetentionDays,
      });
      this.task = task;
      role = task.role;
      // Retries cover starting the task; the task retries a failed export itself.
      target = new targets.EcsRunFargateTask(task.cluster, {
        ...retries,
        taskDefinition: task.taskDefinition,
        vpcSubnets: props.subnets,
        securityGroups: [props.securityGroup],
        assignPublicIp: false,
        propagateTags: true,
        enableEcsManagedTags: true,
      });
    } else {
      const fn = new SecureFunction(this, 'Function', {
        entry: 'nightly-backup/handler.ts',
        description: 'Bulwark nightly logical export into the object-locked backup bucket',
        vpc: props.vpc,
        subnets: props.subnets,
        securityGroup: props.securityGroup,
        logKey: props.logKey,
        logRetentionDays: props.logRetentionDays,
        memoryMiB: props.backup.memoryMiB,
        timeout: Duration.minutes(props.backup.timeoutMinutes),
        reservedConcurrency: 1,
        // The scheduler invokes asynchronously: failures after Lambda's retries land here.
        deadLetterQueue: this.deadLetterQueue,
        environment,
      });
      this.function = fn;
      role = fn.role!;
      (fn.role!.node.defaultChild as iam.CfnRole).roleName = props.signerRoleName;
      fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(2) });
      acknowledge(fn.node.findChild('EventInvokeConfig'), 'asyncFailuresInDeadLetterQueue');
      target = new targets.LambdaInvoke(fn, retries);
    }
    this.grantExport(role, props);

    const [hour, minute] = props.backup.scheduleUtc.split(':').map((v) => String(Number(v)));
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Bulwark ${props.stageName}: nightly logical export at ${props.backup.scheduleUtc} UTC`,
      schedule: scheduler.ScheduleExpression.cron({ hour, minute }),
      target,
    });
    grantQueueSend(this.scheduleRole, this.deadLetterQueue);

    this.freshnessAlarm = topicAlarm(this, 'FreshnessAlarm', props.alertTopic, {
      metric: backupMetric('BackupSucceeded', FRESHNESS_PERIOD_HOURS),
      description: `No successful nightly backup for ${FRESHNESS_HOURS} hours (BKP-VERIFY)`,
      threshold: 1,
      periods: FRESHNESS_HOURS / FRESHNESS_PERIOD_HOURS,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      missingData: cloudwatch.TreatMissingData.BREACHING,
    });
    if (this.function) {
      acknowledge(
        this.scheduleRole.node.findChild('DefaultPolicy'),
        'schedulerInvokesFunctionVersions',
        {
          function: stack.getLogicalId(this.function.node.defaultChild as lambda.CfnFunction),
        },
      );
    } else {
      acknowledge(this.scheduleRole.node.findChild('DefaultPolicy'), 'schedulerRunsExportTask', {
        region: stack.region,
        account: stack.account,
        cluster: stack.getLogicalId(this.task!.cluster.node.defaultChild as ecs.CfnCluster),
      });
      acknowledge(this.deadLetterQueue, 'scheduleDeadLetterQueue');
      topicAlarm(this, 'FailedExportAlarm', props.alertTopic, {
        metric: backupMetric('BackupFailed', 1),
        description: 'The nightly export task failed after its attempts (BKP-VERIFY)',
        threshold: 1,
        periods: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    deadLetterAlarm(
      this,
      'FailedRunsAlarm',
      props.alertTopic,
      this.deadLetterQueue,
      this.function
        ? 'A nightly backup invocation failed after its retries (dead-letter queue)'
        : 'The nightly export task could not be started after its retries (dead-letter queue)',
    );
  }

  /**
   * What the export needs, and nothing more: connect as the backup user, put objects
   * under its prefix, the backup key through S3, the manifest's signature.
   */
  private grantExport(role: iam.IRole, props: NightlyBackupProps): void {
    props.proxy.grantConnect(role, BACKUP_DB_USER);
    // Multipart uploads (CreateMultipartUpload, UploadPart, Complete) are s3:PutObject.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [props.bucket.arnForObjects(`${this.prefix}/*`)],
      }),
    );
    // SSE-KMS multipart uploads need Decrypt as well as GenerateDataKey.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.backupKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    // The manifest's signature (the key policy denies GenerateMac to any other role).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateMac'],
        resources: [props.signingKey.keyArn],
      }),
    );
    const policy = role.node.findChild('DefaultPolicy');
    // The bucket ARN is a cross-stack export, named only once the app is prepared.
    const stack = Stack.of(this);
    const objects = props.bucket.arnForObjects(`${this.prefix}/*`);
    acknowledgeOnceCreated(
      stack,
      () => policy,
      'backupWritesDatedObjects',
      () => ({
        objects: nagResourceName(stack.resolve(objects)),
      }),
    );
  }
}

/** A metric of the export, as both runners publish it. */
function backupMetric(metricName: string, periodHours: number): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: BACKUP_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: BACKUP_SERVICE_NAME },
    statistic: 'Sum',
    period: Duration.hours(periodHours),
  });
}
