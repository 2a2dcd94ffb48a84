import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EncryptedLogGroup } from './encrypted-log-group';
import { stackUniqueName } from './stack-unique-name';

/** Properties of {@link DistributionAccessLogs}. */
export interface DistributionAccessLogsProps {
  /** Name of the delivery source and destination. */
  readonly name: string;
  /** The distribution whose access logs are delivered. */
  readonly distributionArn: string;
  /** Customer key of the log group. */
  readonly encryptionKey: kms.IKey;
  /** Retention in days (RET-DATA). */
  readonly retentionDays: number;
}

/**
 * CloudFront access logs (MON-AUDIT) through CloudWatch Logs vended delivery
 * (standard logging v2), as JSON into an encrypted log group with the stage
 * retention. Must be deployed in us-east-1.
 */
export class DistributionAccessLogs extends Construct {
  /** The log group. */
  readonly logGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: DistributionAccessLogsProps) {
    super(scope, id);
    this.logGroup = new EncryptedLogGroup(this, 'LogGroup', {
      // Vended logs share one resource-policy statement for `/aws/vendedlogs/*`; the
      // suffix is unique to this creation of the stack (the group is retained).
      logGroupName: stackUniqueName(`/aws/vendedlogs/${props.name}`),
      encryptionKey: props.encryptionKey,
      retentionDays: props.retentionDays,
    });
    const source = new logs.CfnDeliverySource(this, 'Source', {
      name: props.name,
      resourceArn: props.distributionArn,
      logType: 'ACCESS_LOGS',
    });
    const destination = new logs.CfnDeliveryDestination(this, 'Destination', {
      name: props.name,
      destinationResourceArn: this.logGroup.logGroupArn,
      outputFormat: 'json',
    });
    const delivery = new logs.CfnDelivery(this, 'Delivery', {
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.attrArn,
    });
    delivery.node.addDependency(source);
  }
}
