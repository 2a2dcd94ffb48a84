import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';

/** Options of {@link pageFromRule}. */
export interface PageFromRuleOptions {
  /** Topic that pages on-call. */
  readonly topic: sns.ITopic;
  /** Key of the dead-letter queue (one EventBridge may use). */
  readonly encryptionKey: kms.IKey;
  /**
   * The page's text.
   * @default - the event as it is
   */
  readonly message?: events.RuleTargetInput;
}

/**
 * Sends what `rule` matches to the alert topic (MON-ALERT), retried for a day; a page
 * that still cannot be delivered lands in an encrypted dead-letter queue `queueId`
 * (in `scope`), returned for its alarm.
 */
export function pageFromRule(
  scope: Construct,
  queueId: string,
  rule: events.Rule,
  options: PageFromRuleOptions,
): sqs.Queue {
  const deadLetterQueue = new sqs.Queue(scope, queueId, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: options.encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(deadLetterQueue, 'deadLetterQueue');
  rule.addTarget(
    new targets.SnsTopic(options.topic, {
      deadLetterQueue,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
      message: options.message,
    }),
  );
  return deadLetterQueue;
}
