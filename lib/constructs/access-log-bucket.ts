import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { SecureBucket } from './secure-bucket';

/** Properties of an {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** Days access logs are kept before they expire (RET-DATA). */
  readonly retentionDays: number;
}

/** Prefix of the load balancer access logs in the bucket. */
export const LOAD_BALANCER_LOG_PREFIX = 'alb';

/**
 * The one bucket per region that receives S3 server access logs (MON-AUDIT). Buckets
 * in other stacks log into it through {@link AccessLogBucket.target}, so that only
 * the account-scoped statement of this bucket's policy admits their logs.
 *
 * S3 log delivery cannot write to SSE-KMS buckets, so this bucket uses SSE-S3
 * (AES-256); every other Bulwark bucket uses a customer key.
 */
export class AccessLogBucket extends SecureBucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id, {
      s3ManagedEncryption: true,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Log delivery for buckets of other stacks of this account: CDK only scopes the
    // statements it writes for buckets of the same stack.
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAccessLogsFromThisAccount',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // Load balancer access logs: the region's Elastic Load Balancing account (regions
    // opened before August 2022) or the log-delivery service principal (newer ones).
    const { account, region } = Stack.of(this);
    const elbAccount = RegionInfo.get(region).elbv2Account;
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowLoadBalancerAccessLogs',
        principals: [
          elbAccount
            ? new iam.AccountPrincipal(elbAccount)
            : new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com'),
        ],
        actions: ['s3:PutObject'],
        resources: [this.arnForObjects(`${LOAD_BALANCER_LOG_PREFIX}/AWSLogs/${account}/*`)],
      }),
    );
    acknowledge(this, 'accessLogBucketSseS3');
    acknowledge(this, 'accessLogBucketNotReplicated');
    acknowledge(this, 'accessLogBucketNoSelfLogging');
    acknowledge(this, 'logBucketWithoutObjectLock');
  }

  /**
   * A reference for buckets of another stack to log into. Unlike the bucket itself,
   * it makes CDK add no unconditioned log-delivery statement to this bucket's policy.
   */
  target(scope: Construct, id: string): s3.IBucket {
    return s3.Bucket.fromBucketAttributes(scope, id, {
      bucketArn: this.bucketArn,
      bucketName: this.bucketName,
    });
  }
}
