import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { defaultWorkers } from '../../lambda/nightly-backup/export';
import { BACKUP_METRICS_NAMESPACE } from '../../lambda/nightly-backup/telemetry';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';
import { EXPORT_TASK_USER, exportImage } from './export-image';

/** Properties of an {@link ExportTask}. */
export interface ExportTaskProps {
  readonly vpc: ec2.IVpc;
  /** CPU units of the task (1024 = one vCPU), one of Fargate's values. */
  readonly cpu: number;
  /** Memory of the task in MiB, one of the sizes Fargate allows with `cpu`. */
  readonly memoryMiB: number;
  /** Physical name of the task role, the one the signing key's policy admits. */
  readonly roleName: string;
  /** What the container's environment holds besides the workers and deadline. */
  readonly environment: Record<string, string>;
  /** The run stops itself after this many minutes. */
  readonly deadlineMinutes: number;
  /** Key of the task's log group. */
  readonly logKey: kms.IKey;
  readonly logRetentionDays: number;
}

/** Workers of a task with `cpu` units: one per vCPU, at least 2 and at most 8. */
export const taskWorkers = (cpu: number) => defaultWorkers(Math.floor(cpu / 1024));

/**
 * The nightly export as an ECS Fargate task (`backup.runner: "fargate"`; BKP-DAILY):
 * a cluster with Container Insights, and a task definition for arm64 whose one
 * container runs the export image ({@link exportImage}) as an unprivileged user on a
 * read-only root file system, logging to an encrypted log group. Its task role is
 * named (the signing key's policy admits it by name) and holds nothing yet: the
 * backup construct grants what the export needs. The execution role may pull the
 * image and write the log group, nothing else.
 */
export class ExportTask extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The role the export runs with. */
  readonly role: iam.Role;
  readonly logGroup: EncryptedLogGroup;
  /** Connections the export uses at once (`BACKUP_WORKERS`). */
  readonly workers: number;

  constructor(scope: Construct, id: string, props: ExportTaskProps) {
    super(scope, id);
    this.workers = taskWorkers(props.cpu);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.role = new iam.Role(this, 'TaskRole', {
      roleName: props.roleName,
      description: 'Bulwark nightly export task: writes its stage prefix of the backup vault',
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({ service: 'ecs', resource: '*' }),
          },
        },
      }),
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      taskRole: this.role,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retentionDays: props.logRetentionDays,
    });
    this.taskDefinition.addContainer('Export', {
      image: exportImage(this),
      essential: true,
      // The task's memory is the container's hard limit: nothing else runs in the task.
      memoryLimitMiB: props.memoryMiB,
      user: EXPORT_TASK_USER,
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'export',
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
      environment: {
        ...props.environment,
        AWS_REGION: Stack.of(this).region,
        BACKUP_WORKERS: String(this.workers),
        BACKUP_DEADLINE_MINUTES: String(props.deadlineMinutes),
      },
    });
    acknowledge(this.taskDefinition, 'exportEnvironmentHoldsNoSecrets');
    acknowledge(
      this.taskDefinition.obtainExecutionRole().node.findChild('DefaultPolicy'),
      'exportExecutionRolePullsImage',
    );

    // PutMetricData has no resource-level permissions: the namespace condition scopes it.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': BACKUP_METRICS_NAMESPACE } },
      }),
    );
    acknowledge(this.role.node.findChild('DefaultPolicy'), 'exportPublishesMetrics');
  }
}
