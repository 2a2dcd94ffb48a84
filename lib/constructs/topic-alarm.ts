import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Duration } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What an alarm from {@link topicAlarm} watches. */
export interface TopicAlarmOptions {
  /** The metric, with its statistic and period. */
  readonly metric: cloudwatch.IMetric;
  /** What the alarm means for the person paged. */
  readonly description: string;
  /** Value a period is compared with (at or above it breaches, by default). */
  readonly threshold: number;
  /**
   * Breaching periods needed (out of the same number evaluated).
   * @default 1
   */
  readonly periods?: number;
  /**
   * How the value compares with the threshold.
   * @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparison?: cloudwatch.ComparisonOperator;
  /**
   * What a period without data counts as.
   * @default NOT_BREACHING
   */
  readonly missingData?: cloudwatch.TreatMissingData;
}

/** An alarm that pages `topic` when `metric` reaches the threshold (MON-ALERT). */
export function topicAlarm(
  scope: Construct,
  id: string,
  topic: sns.ITopic,
  options: TopicAlarmOptions,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: options.metric,
    alarmDescription: options.description,
    threshold: options.threshold,
    evaluationPeriods: options.periods ?? 1,
    comparisonOperator:
      options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: options.missingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}

/** An alarm that pages `topic` as soon as the dead-letter `queue` holds a message. */
export function deadLetterAlarm(
  scope: Construct,
  id: string,
  topic: sns.ITopic,
  queue: sqs.IQueue,
  description: string,
): cloudwatch.Alarm {
  return topicAlarm(scope, id, topic, {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    description,
    threshold: 1,
  });
}
