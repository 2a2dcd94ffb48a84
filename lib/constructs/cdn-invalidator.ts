import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { CLOUDFRONT_REGION } from '../config/regions';
import { SecureFunction } from './secure-function';

/**
 * Reserved concurrency of the invalidator, and the most batches its queue's event
 * source runs at once (SQS sources accept 2 to 1000).
 */
export const INVALIDATOR_CONCURRENCY = 2;

/** Properties of a {@link CdnInvalidator}. */
export interface CdnInvalidatorProps {
  /** Queue of publish events sent by the content API. */
  readonly queue: sqs.IQueue;
  /** SSM parameter in us-east-1 holding the id of the distribution to invalidate. */
  readonly distributionIdParameter: string;
  /** Customer key of its log group. */
  readonly logKey: kms.IKey;
  /** Log retention in days. */
  readonly logRetentionDays: number;
}

/**
 * Turns publish events into CloudFront invalidations (AVL-CDN), so that readers see
 * a published change within seconds instead of after the cache TTL. Runs outside
 * the VPC (CloudFront's API has no VPC endpoint) and may only invalidate the one
 * distribution; failed batches are retried by SQS and end in the dead-letter queue.
 */
export class CdnInvalidator extends Construct {
  /** The function. */
  readonly function: SecureFunction;

  constructor(scope: Construct, id: string, props: CdnInvalidatorProps) {
    super(scope, id);
    this.function = new SecureFunction(this, 'Function', {
      entry: 'cdn-invalidator/handler.ts',
      description: 'Bulwark CDN invalidations on publish (SQS consumer)',
      vpc: undefined,
      logKey: props.logKey,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: INVALIDATOR_CONCURRENCY,
      environment: {
        DISTRIBUTION_ID_PARAMETER: props.distributionIdParameter,
        DISTRIBUTION_ID_REGION: CLOUDFRONT_REGION,
      },
    });
    acknowledge(this.function, 'cloudFrontApiOutsideVpc');
    acknowledge(this.function, 'queueConsumer');
    const stack = Stack.of(this);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            region: CLOUDFRONT_REGION,
            resource: 'parameter',
            resourceName: props.distributionIdParameter.replace(/^\//, ''),
          }),
        ],
      }),
    );
    // The distribution is created after this stack, so its id is not known here.
    const distributions = stack.formatArn({
      service: 'cloudfront',
      region: '',
      resource: 'distribution',
      resourceName: '*',
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation'],
        resources: [distributions],
      }),
    );
    acknowledge(
      this.function.role!.node.findChild('DefaultPolicy'),
      'invalidatesAccountDistributions',
      {
        distributions,
      },
    );
    const source = new sources.SqsEventSource(props.queue, {
      // Lambda polls with five concurrent batches unless capped; beyond the reserved
      // concurrency they are throttled, each throttled receive counts towards the
      // queue's maxReceiveCount, and invalidations end in the dead-letter queue.
      maxConcurrency: INVALIDATOR_CONCURRENCY,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(source);
    acknowledge(
      this.function.node.findChild(`SqsEventSource:${Names.nodeUniqueId(props.queue.node)}`),
      'sqsSourceUsesRedrive',
    );
  }
}
