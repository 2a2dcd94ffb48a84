import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as shield from 'aws-cdk-lib/aws-shield';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { topicAlarm } from './topic-alarm';

/** Properties of a {@link ShieldProtection}. */
export interface ShieldProtectionProps {
  /** Name of the protection. */
  readonly name: string;
  /** ARN of the protected resource (distribution or load balancer). */
  readonly resourceArn: string;
  /** Topic paged when Shield detects an attack. */
  readonly alertTopic: sns.ITopic;
}

/**
 * A Shield Advanced protection of one resource (DDOS) and an alarm on Shield's
 * `DDoSDetected` metric for it. Deploy it in the region where the metric is
 * published: us-east-1 for CloudFront, the resource's region otherwise.
 */
export class ShieldProtection extends Construct {
  /** The protection. */
  readonly protection: shield.CfnProtection;

  constructor(scope: Construct, id: string, props: ShieldProtectionProps) {
    super(scope, id);
    this.protection = new shield.CfnProtection(this, 'Resource', {
      name: props.name,
      resourceArn: props.resourceArn,
    });
    topicAlarm(this, 'DDoSDetectedAlarm', props.alertTopic, {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/DDoSProtection',
        metricName: 'DDoSDetected',
        dimensionsMap: { ResourceArn: props.resourceArn },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      description: `Shield Advanced detected a DDoS attack on ${props.name}`,
      threshold: 1,
    });
  }
}
