import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm } from './topic-alarm';
import { acknowledge } from '../compliance/acknowledgements';

/** Properties of an {@link AlertTopic}. */
export interface AlertTopicProps {
  /** Customer key of the topic and its dead-letter queue (ENC-REST). */
  readonly encryptionKey: kms.IKey;
  /** Mailbox that receives every alert. */
  readonly email: string;
  /** HTTPS endpoint of the on-call system. */
  readonly onCallUrl: string;
}

/**
 * Where every alarm and security finding goes (MON-ALERT): an encrypted SNS topic
 * that only accepts TLS publishers and admits the account's alarms in its region,
 * with e-mail and HTTPS on-call subscriptions.
 * Alerts a subscription could not deliver land in a dead-letter queue, and a
 * message there raises an alarm of its own.
 */
export class AlertTopic extends Construct {
  /** The topic. */
  readonly topic: sns.Topic;
  /** Alerts that could not be delivered to a subscriber. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Resource', {
      displayName: 'Bulwark alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, which let the account's alarms
    // publish: CloudWatch now needs its own statement, scoped to this account's
    // alarms in this region (without it, alarms fire and no one is told).
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    this.deadLetterQueue = new sqs.Queue(this, 'UndeliveredAlerts', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'deadLetterQueue');
    const deadLetterQueue = this.deadLetterQueue;
    this.topic.addSubscription(new subs.EmailSubscription(props.email, { deadLetterQueue }));
    this.topic.addSubscription(
      new subs.UrlSubscription(props.onCallUrl, {
        protocol: sns.SubscriptionProtocol.HTTPS,
        deadLetterQueue,
      }),
    );
  }

  /** Raises an alarm to this topic as soon as `queue` holds a message. */
  alarmOnDeadLetters(scope: Construct, id: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return deadLetterAlarm(
      scope,
      id,
      this.topic,
      queue,
      `Undelivered messages in ${queue.node.path}`,
    );
  }
}
