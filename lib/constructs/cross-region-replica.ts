import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import {
  DATABASE_PORT,
  POSTGRES_VERSION,
  afterLogGroups,
  databaseParameters,
  enhancedMonitoringRole,
  instanceLogGroups,
  instanceSettings,
} from './database';
import { topicAlarm } from './topic-alarm';

/**
 * Replica lag, in seconds, above which on-call is paged (DR-REPL): the data a regional
 * failover would lose. `npm run verify` and `npm run dr:promote -- --plan` judge the
 * replica's current lag against it too.
 */
export const REPLICA_LAG_ALARM_SECONDS = 300;

/** Minutes the lag must stay above {@link REPLICA_LAG_ALARM_SECONDS} before it pages. */
export const REPLICA_LAG_ALARM_MINUTES = 5;

/** Properties of a {@link CrossRegionReplica}. */
export interface CrossRegionReplicaProps {
  /** The recovery region's VPC. */
  readonly vpc: ec2.IVpc;
  /** Its isolated subnets of the data tier. */
  readonly subnets: ec2.SubnetSelection;
  /** ARN of the primary instance in the primary region. */
  readonly sourceInstanceArn: string;
  /** The primary region. */
  readonly sourceRegion: string;
  /** Instance identifier of the replica. */
  readonly instanceIdentifier: string;
  /** Instance class, as the primary's (a promoted replica carries the load). */
  readonly instanceClass: string;
  /** The recovery region's key: storage, Performance Insights, logs. */
  readonly encryptionKey: kms.IKey;
  /** Retention of the exported database logs in days. */
  readonly logRetentionDays: number;
  /** Topic in the recovery region that pages on-call. */
  readonly alertTopic: sns.ITopic;
}

/**
 * The content database's copy in the recovery region (DR-REPL): an RDS PostgreSQL
 * read replica of the primary, encrypted with the recovery region's own key, in the
 * recovery VPC's isolated subnets behind a security group that admits nothing (no
 * client connects until a failover redeploys the application tier there), with the
 * primary's parameters (TLS forced, pgaudit), IAM authentication, Performance
 * Insights, enhanced monitoring and its logs exported to encrypted log groups.
 * Deletion protection and a retained deletion policy: after `npm run dr:promote` it
 * is the database. On-call is paged when its lag stays above
 * {@link REPLICA_LAG_ALARM_SECONDS} s for {@link REPLICA_LAG_ALARM_MINUTES} minutes, or
 * when it reports no lag at all (broken replication, a deleted replica).
 */
export class CrossRegionReplica extends Construct {
  readonly instance: rds.DatabaseInstanceReadReplica;
  readonly securityGroup: ec2.SecurityGroup;
  readonly lagAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CrossRegionReplicaProps) {
    super(scope, id);
    const engine = rds.DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Bulwark recovery-region database replica: no client until a failover',
      allowAllOutbound: false,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Bulwark PostgreSQL replica: TLS only, connection logging, pgaudit',
      parameters: databaseParameters(),
    });
    const logs = instanceLogGroups(
      this,
      '',
      props.instanceIdentifier,
      props.encryptionKey,
      props.logRetentionDays,
    );
    // The source is in another region: referenced by ARN, never imported.
    const source = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Source', {
      instanceIdentifier: props.sourceInstanceArn,
      instanceEndpointAddress: 'unused',
      port: DATABASE_PORT,
      securityGroups: [],
      engine,
    });
    this.instance = new rds.DatabaseInstanceReadReplica(this, 'Instance', {
      ...instanceSettings({
        instanceClass: props.instanceClass,
        vpc: props.vpc,
        subnets: props.subnets,
        securityGroup: this.securityGroup,
        parameterGroup,
        encryptionKey: props.encryptionKey,
        monitoringRole: enhancedMonitoringRole(this),
        port: DATABASE_PORT,
      }),
      sourceDatabaseInstance: source,
      instanceIdentifier: props.instanceIdentifier,
      // Its own region's key: a cross-region replica cannot use the primary's.
      storageEncryptionKey: props.encryptionKey,
      deletionProtection: true,
      // RDS takes no final snapshot of a replica; once promoted it is the database.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
    cfn.sourceDbInstanceIdentifier = props.sourceInstanceArn;
    cfn.sourceRegion = props.sourceRegion;
    // Encrypted by KmsKeyId: CloudFormation refuses StorageEncrypted beside a source.
    cfn.storageEncrypted = undefined;
    afterLogGroups(this.instance, logs);
    acknowledge(this.instance, 'rdsReplicaDefaultPort');
    acknowledge(this.instance, 'drReplicaSingleAz');
    acknowledge(this.instance, 'drReplicaEncryptedWithItsKey');
    acknowledge(this.instance, 'rdsNotInAwsBackupPlan');

    this.lagAlarm = topicAlarm(this, 'LagAlarm', props.alertTopic, {
      metric: this.instance.metric('ReplicaLag', {
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      description: `The recovery-region replica ${props.instanceIdentifier} is more than ${REPLICA_LAG_ALARM_SECONDS} s behind the primary, or reports no lag (DR-REPL)`,
      threshold: REPLICA_LAG_ALARM_SECONDS,
      periods: REPLICA_LAG_ALARM_MINUTES,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      missingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
