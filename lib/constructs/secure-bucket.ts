import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps extends Omit<
  s3.BucketProps,
  'encryption' | 'encryptionKey' | 'publicReadAccess' | 'enforceSSL' | 'blockPublicAccess'
> {
  /**
   * Customer key for SSE-KMS (ENC-REST). Required unless `s3ManagedEncryption` is set.
   * @default - none; `s3ManagedEncryption` must be true
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Use SSE-S3 instead of SSE-KMS. Only for targets of AWS log delivery that cannot
   * write to KMS-encrypted buckets (S3 server access logs).
   * @default false
   */
  readonly s3ManagedEncryption?: boolean;
}

/**
 * The lifecycle of a log or record bucket (RET-DATA): objects expire after the
 * retention, replaced versions a day later, unfinished uploads after a day.
 */
export const expireAfterRetention = (retentionDays: number): s3.LifecycleRule => ({
  id: 'ExpireAfterRetention',
  expiration: Duration.days(retentionDays),
  noncurrentVersionExpiration: Duration.days(1),
  abortIncompleteMultipartUploadAfter: Duration.days(1),
});

/**
 * An S3 bucket with Bulwark's secure defaults that callers cannot switch off:
 * private (all public access blocked, ACLs disabled), TLS 1.2+ only, encrypted,
 * versioned and retained.
 *
 * A bucket with a physical name (only where another region must address it) is
 * retained except when the stack operation that created it rolls back
 * (`RetainExceptOnCreate`): bucket names are global, and a bucket left by a failed
 * first deploy would make every retry fail with "already exists".
 */
export class SecureBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    const { encryptionKey, s3ManagedEncryption, ...rest } = props;
    if (!encryptionKey && !s3ManagedEncryption) {
      throw new Error(`SecureBucket ${id}: an encryptionKey is required (ENC-REST)`);
    }
    super(scope, id, {
      versioned: true,
      removalPolicy: props.bucketName
        ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
        : RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...rest,
      // Required settings win over anything a caller passes.
      encryption: encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey,
      bucketKeyEnabled: encryptionKey ? true : undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      publicReadAccess: false,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
    });
    acknowledge(this, 'noBucketEventConsumer');
  }
}
