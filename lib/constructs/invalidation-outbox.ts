import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  OUTBOX_AGE_METRIC,
  OUTBOX_SERVICE_NAME,
} from '../../lambda/content-api/telemetry';
import { acknowledge } from '../compliance/acknowledgements';
import { OUTBOX_DB_USER, proxyConnectionEnv } from './database';
import { grantQueueSend } from './queue-access';
import { SecureFunction } from './secure-function';
import { topicAlarm } from './topic-alarm';

/** How often the drainer runs. */
export const OUTBOX_DRAIN_INTERVAL = Duration.minutes(1);
/** Age of the oldest unsent invalidation that pages on-call, in seconds. */
export const OUTBOX_STUCK_SECONDS = 900;

/** Properties of an {@link InvalidationOutbox}. */
export interface InvalidationOutboxProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Isolated subnets of the drainer. */
  readonly subnets: ec2.SubnetSelection;
  /** Security group of the drainer: the content API's (the proxy and the endpoints only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** RDS Proxy in front of the primary. */
  readonly proxy: rds.IDatabaseProxy;
  /** Queue of CDN invalidations. */
  readonly invalidationQueue: sqs.IQueue;
  /** Topic of the alarms. */
  readonly alertTopic: sns.ITopic;
  /** Customer key of the log group and the queue. */
  readonly encryptionKey: kms.IKey;
  /** Log retention in days. */
  readonly logRetentionDays: number;
}

/**
 * The drainer of the CDN invalidation outbox (AVL-CDN): a write records the paths
 * to invalidate in its own transaction, and the API queues them at once when SQS
 * answers; this function, every minute, queues whatever was left (SQS unreachable
 * or slow), with back-off per row. It connects as its own database user, which may
 * only read, update and remove outbox rows, and may send to one queue. An alarm
 * pages when the oldest unsent invalidation is older than 15 minutes, or when the
 * drainer stops reporting (missing data breaches).
 */
export class InvalidationOutbox extends Construct {
  /** The drainer function. */
  readonly function: SecureFunction;
  /** The alarms, by name. */
  readonly alarms: Record<'Stuck' | 'Errors', cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: InvalidationOutboxProps) {
    super(scope, id);
    this.function = new SecureFunction(this, 'Drainer', {
      entry: 'content-api/outbox-drainer.ts',
      description: 'Bulwark CDN invalidation outbox drainer (every minute)',
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroup: props.securityGroup,
      logKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 256,
      timeout: Duration.seconds(50),
      // One drain at a time is enough; rows are claimed with SKIP LOCKED regardless.
      reservedConcurrency: 1,
      environment: {
        ...proxyConnectionEnv(props.proxy, OUTBOX_DB_USER),
        DB_POOL_MAX: '1',
        INVALIDATION_QUEUE_URL: props.invalidationQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: OUTBOX_SERVICE_NAME,
      },
    });
    acknowledge(this.function, 'scheduledOutboxDrain');
    props.proxy.grantConnect(this.function, OUTBOX_DB_USER);
    grantQueueSend(this.function, props.invalidationQueue, { includeSend: true });
    // A run that fails is not retried: the next one comes a minute later.
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    acknowledge(
      this.function.node.findChild('EventInvokeConfig'),
      'scheduledOutboxDrainInvokeConfig',
    );
    const schedule = new events.Rule(this, 'Schedule', {
      description: 'Drains the CDN invalidation outbox',
      schedule: events.Schedule.rate(OUTBOX_DRAIN_INTERVAL),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    acknowledge(schedule, 'scheduledOutboxDrainSchedule');

    const period = Duration.minutes(5);
    this.alarms = {
      Stuck: topicAlarm(this, 'StuckAlarm', props.alertTopic, {
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: OUTBOX_AGE_METRIC,
          dimensionsMap: { service: OUTBOX_SERVICE_NAME },
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
        }),
        threshold: OUTBOX_STUCK_SECONDS,
        // No data means no drain ran: as bad as a stuck outbox.
        missingData: cloudwatch.TreatMissingData.BREACHING,
        description:
          'CDN invalidations are stuck in the outbox (or its drainer is not running): published changes may be served stale from the CDN',
      }),
      Errors: topicAlarm(this, 'ErrorsAlarm', props.alertTopic, {
        metric: this.function.metricErrors({ period }),
        threshold: 3,
        description: 'The CDN invalidation outbox drainer failed repeatedly',
      }),
    };
  }
}
