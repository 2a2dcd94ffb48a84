import * as events from 'aws-cdk-lib/aws-events';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { pageFromRule } from './rule-to-topic';

/** GuardDuty protection plans Bulwark turns on (THR-DETECT). */
export const GUARDDUTY_FEATURES = [
  'S3_DATA_EVENTS',
  'RDS_LOGIN_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'EBS_MALWARE_PROTECTION',
] as const;

/** Properties of {@link ThreatDetection}. */
export interface ThreatDetectionProps {
  /** Create the detector, or rely on the account's existing one. */
  readonly createDetector: boolean;
  /** Findings at or above this severity (1-8.9) are sent to the alert topic. */
  readonly minSeverity: number;
  /** The alert topic. */
  readonly alertTopic: sns.ITopic;
  /** Key of the dead-letter queue of undeliverable findings. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Threat detection of malicious IPs and unusual activity (THR-DETECT): a GuardDuty
 * detector with S3, RDS login, Lambda network and malware protection, publishing
 * every 15 minutes; findings at or above the configured severity go to on-call,
 * with a dead-letter queue for deliveries that fail.
 */
export class ThreatDetection extends Construct {
  /** The detector, when this stage creates it. */
  readonly detector?: guardduty.CfnDetector;
  /** Rule routing findings to the alert topic. */
  readonly findingsRule: events.Rule;
  /** Findings that could not be delivered. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps) {
    super(scope, id);
    if (props.createDetector) {
      this.detector = new guardduty.CfnDetector(this, 'Detector', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        features: GUARDDUTY_FEATURES.map((name) => ({ name, status: 'ENABLED' })),
      });
      acknowledge(this.detector, 'guardDutyFeaturesApi');
    }

    this.findingsRule = new events.Rule(this, 'FindingsRule', {
      description: `GuardDuty findings with severity >= ${props.minSeverity} to on-call`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: events.Match.greaterThanOrEqual(props.minSeverity) },
      },
    });
    this.deadLetterQueue = pageFromRule(this, 'FindingsDeadLetterQueue', this.findingsRule, {
      topic: props.alertTopic,
      encryptionKey: props.encryptionKey,
    });
  }
}
