import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { SecureBucket } from './secure-bucket';

/** Properties of an {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /** Days access logs are kept before they expire (RET-DATA). */
  readonly retentionDays: number;
}

/**
 * The one bucket per region that receives S3 server access logs (MON-AUDIT).
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
    acknowledge(this, 'accessLogBucketSseS3');
    acknowledge(this, 'accessLogBucketNotReplicated');
  }
}
