import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { physicalNames, type StageConfig } from '../config';
import { AlertTopic } from '../constructs/alert-topic';
import { CrossRegionReplica } from '../constructs/cross-region-replica';
import { EncryptionKey } from '../constructs/encryption-key';
import { IsolatedNetwork, availabilityZoneTokens } from '../constructs/isolated-network';
import { OUTPUT_KEYS } from '../stage-layout';

/** Properties of the {@link ReplicaStack}. */
export interface ReplicaStackProps extends StackProps {
  /** Validated stage configuration (`database.crossRegionReplica` on). */
  readonly config: StageConfig;
}

/**
 * The database's half of DR-REPL in the recovery region (termination-protected;
 * `database.crossRegionReplica`): a VPC of isolated subnets with flow logs, the
 * region's own key, an alert topic there (alarms page only through a topic of their
 * region), and the encrypted cross-region read replica of the primary with its lag
 * alarm. Deployed after the Data stack, whose primary it replicates by ARN.
 */
export class ReplicaStack extends Stack {
  readonly key: EncryptionKey;
  readonly network: IsolatedNetwork;
  readonly alertTopic: AlertTopic;
  readonly replica: CrossRegionReplica;

  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: ReplicaStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const cfg = props.config;
    this.zones = availabilityZoneTokens(cfg.network.azCount);
    const names = physicalNames(cfg);
    this.key = new EncryptionKey(this, 'ReplicaKey', {
      alias: `bulwark-${cfg.name}-db-replica`,
      description: 'Bulwark database replica in the recovery region, its logs and alerts',
      allowCloudWatchLogs: true,
      // The lag alarm publishes to the encrypted topic; SNS redrives to its queue.
      servicePrincipals: ['cloudwatch', 'sns'],
    });
    this.network = new IsolatedNetwork(this, 'Network', {
      cidr: cfg.network.vpcCidr,
      availabilityZones: this.availabilityZones,
      logKey: this.key,
      logRetentionDays: cfg.logRetentionDays,
      interfaceEndpoints: false,
      vpcOriginGateway: false,
    });
    this.alertTopic = new AlertTopic(this, 'AlertTopic', {
      encryptionKey: this.key,
      email: cfg.alerts.email,
      onCallUrl: cfg.alerts.onCallUrl,
    });
    this.alertTopic.alarmOnDeadLetters(
      this,
      'UndeliveredAlertsAlarm',
      this.alertTopic.deadLetterQueue,
    );
    this.replica = new CrossRegionReplica(this, 'Database', {
      vpc: this.network.vpc,
      subnets: this.network.dataSubnets,
      sourceInstanceArn: `arn:${this.partition}:rds:${cfg.region}:${cfg.account}:db:${names.databaseInstance}`,
      sourceRegion: cfg.region,
      instanceIdentifier: names.drReplicaInstance,
      instanceClass: cfg.database.instanceClass,
      encryptionKey: this.key,
      logRetentionDays: cfg.logRetentionDays,
      alertTopic: this.alertTopic.topic,
    });
    const out = OUTPUT_KEYS.Replica;
    new CfnOutput(this, out.replicaInstanceId, {
      value: this.replica.instance.instanceIdentifier,
      description: 'Cross-region read replica of the primary (npm run dr:promote)',
    });
    new CfnOutput(this, out.lagAlarmName, { value: this.replica.lagAlarm.alarmName });
    new CfnOutput(this, out.alertTopicArn, { value: this.alertTopic.topic.topicArn });
  }

  /** The recovery region's first `azCount` zones, resolved by CloudFormation (offline synth). */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
