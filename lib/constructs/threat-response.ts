import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { type StageConfig, type blocklistLocations, threatResponseRoleName } from '../config';
import { BY_EXPIRY_INDEX, TTL_ATTRIBUTE } from '../../lambda/threat-response/table-schema';
import type { SettingsEnv } from '../../lambda/threat-response/settings';
import {
  ADDRESSES_OVER_CAP_METRIC,
  THREAT_METRICS_NAMESPACE,
  THREAT_SERVICE_NAME,
} from '../../lambda/threat-response/telemetry';
import { SecureFunction } from './secure-function';
import { deadLetterAlarm, topicAlarm } from './topic-alarm';

/** Properties of {@link ThreatResponse}. */
export interface ThreatResponseProps {
  /** Name of the stage (it fixes the function's role name). */
  readonly stageName: string;
  /** The stage's `threatResponse`: severity, block days and the caps. */
  readonly settings: StageConfig['threatResponse'];
  /** The stage's `trustedCidrs`: never blocked. */
  readonly trustedCidrs: readonly string[];
  /** Where each web ACL publishes its blocklist IP set ARNs (`blocklistLocations`). */
  readonly blocklists: ReturnType<typeof blocklistLocations>;
  /** Retention of the function's log group, in days. */
  readonly logRetentionDays: StageConfig['logRetentionDays'];
  /** Topic told of each new block, and paged by the alarms. */
  readonly alertTopic: sns.ITopic;
  /** Key of the table, the dead-letter queue and the log group (the audit key). */
  readonly encryptionKey: kms.IKey;
}

/** How often expired blocks are swept out of the IP sets. */
export const SWEEP_INTERVAL = Duration.hours(1);

/**
 * Automatic response to malicious IPs (THR-BLOCK). GuardDuty findings at or above
 * `threatResponse.minSeverity` invoke a function that adds the remote addresses of
 * the finding (IPv4 as /32, IPv6 as its /64) to the IPv4/IPv6 blocklists of both web
 * ACLs (CloudFront's and the ALB's), never an address of `trustedCidrs` or a reserved
 * range (IPv6: anything outside 2000::/3, and special ranges inside it). Each block is
 * recorded in a table (KMS, point-in-time recovery, retained) with an expiry; a
 * repeat offender's block is extended, and an hourly sweep removes expired blocks.
 * At most `maxAddressesPerFinding` addresses are taken from one finding, and a full
 * set only evicts blocks that end before the newcomers' do. Failures are retried,
 * then kept in a dead-letter queue that pages on-call, as do a blocklist full enough
 * to evict blocks and a finding over the per-finding cap.
 *
 * The function's role has a fixed name: the App and Edge stacks, which own the IP
 * sets and deploy after this one, grant it `GetIPSet`/`UpdateIPSet` on exactly their
 * blocklist sets and publish the set ARNs in SSM (see `BlocklistAccess`).
 */
export class ThreatResponse extends Construct {
  readonly function: SecureFunction;
  /** One row per blocked address. */
  readonly table: dynamodb.Table;
  /** Findings and sweeps that failed after their retries. */
  readonly deadLetterQueue: sqs.Queue;
  /** Routes findings to the function. */
  readonly findingsRule: events.Rule;

  constructor(scope: Construct, id: string, props: ThreatResponseProps) {
    super(scope, id);
    const settings = props.settings;

    this.table = new dynamodb.Table(this, 'Blocklist', {
      partitionKey: { name: 'address', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.table, 'blocklistTableRecoverable');
    this.table.addGlobalSecondaryIndex({
      indexName: BY_EXPIRY_INDEX,
      partitionKey: { name: 'blockedFamily', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'expiresAt', type: dynamodb.AttributeType.NUMBER },
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'queueDeadLetterQueue');

    const environment: Record<SettingsEnv | 'POWERTOOLS_SERVICE_NAME', string> = {
      STAGE: props.stageName,
      TRUSTED_CIDRS: JSON.stringify(props.trustedCidrs),
      BLOCK_DAYS: String(settings.blockDays),
      MAX_BLOCK_DAYS: String(settings.maxBlockDays),
      MAX_ADDRESSES_PER_SET: String(settings.maxAddressesPerSet),
      MAX_ADDRESSES_PER_FINDING: String(settings.maxAddressesPerFinding),
      BLOCKLISTS: JSON.stringify(props.blocklists),
      TABLE_NAME: this.table.tableName,
      ALERT_TOPIC_ARN: props.alertTopic.topicArn,
      POWERTOOLS_SERVICE_NAME: THREAT_SERVICE_NAME,
    };
    this.function = new SecureFunction(this, 'Function', {
      entry: 'threat-response/handler.ts',
      description: 'Bulwark threat response: GuardDuty finding addresses into the WAF blocklists',
      vpc: undefined,
      logKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 256,
      timeout: Duration.minutes(1),
      // Few writers: concurrent updates of one IP set only contend for its lock token.
      reservedConcurrency: 2,
      deadLetterQueue: this.deadLetterQueue,
      environment,
    });
    (this.function.role!.node.defaultChild as iam.CfnRole).roleName = threatResponseRoleName(
      props.stageName,
    );
    acknowledge(this.function, 'wafApiOutsideVpc');
    this.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    acknowledge(
      this.function.node.findChild('EventInvokeConfig'),
      'asyncFailuresInDeadLetterQueue',
    );

    // Least privilege on the table: the four item calls and the expiry index.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [this.table.tableArn, `${this.table.tableArn}/index/${BY_EXPIRY_INDEX}`],
      }),
    );
    this.function.allowKeyVia(props.encryptionKey, 'dynamodb', [
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
    // `grantPublish` would allow `kms:GenerateDataKey*` on the key from anywhere.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alertTopic.topicArn] }),
    );
    this.function.allowKeyVia(props.encryptionKey, 'sns', ['kms:Decrypt', 'kms:GenerateDataKey']);

    this.findingsRule = new events.Rule(this, 'FindingsRule', {
      description: `GuardDuty findings with severity >= ${settings.minSeverity} to threat response`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: events.Match.greaterThanOrEqual(settings.minSeverity) },
      },
    });
    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
    };
    this.findingsRule.addTarget(new targets.LambdaFunction(this.function, delivery));
    new events.Rule(this, 'SweepRule', {
      description: 'Hourly sweep of expired blocks out of the WAF blocklists',
      schedule: events.Schedule.rate(SWEEP_INTERVAL),
      targets: [
        new targets.LambdaFunction(this.function, {
          ...delivery,
          event: events.RuleTargetInput.fromObject({ action: 'sweep' }),
        }),
      ],
    });

    deadLetterAlarm(
      this,
      'FailedResponsesAlarm',
      props.alertTopic,
      this.deadLetterQueue,
      'A GuardDuty finding or a blocklist sweep failed after its retries: addresses may be unblocked or blocked too long',
    );
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: THREAT_METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: THREAT_SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    topicAlarm(this, 'BlocklistFullAlarm', props.alertTopic, {
      metric: new cloudwatch.MathExpression({
        expression: 'evicted + dropped',
        usingMetrics: { evicted: metric('BlocksEvicted'), dropped: metric('BlocksDropped') },
        label: 'Blocks evicted or not added for lack of room',
        period: Duration.minutes(5),
      }),
      description: `A WAF blocklist reached ${settings.maxAddressesPerSet} addresses: blocks ending before the new ones were evicted, or new ones not added`,
      threshold: 1,
    });
    topicAlarm(this, 'FindingCapAlarm', props.alertTopic, {
      metric: metric(ADDRESSES_OVER_CAP_METRIC),
      description: `A GuardDuty finding named more than ${settings.maxAddressesPerFinding} addresses to block (threatResponse.maxAddressesPerFinding): those beyond the cap were not blocked`,
      threshold: 1,
    });
  }
}
