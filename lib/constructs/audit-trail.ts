import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';
import { SecureBucket } from './secure-bucket';

/** Properties of an {@link AuditTrail}. */
export interface AuditTrailProps {
  /** Customer key of the trail files and its log group. */
  readonly encryptionKey: kms.Key;
  /** Days the trail is kept, in the bucket and in CloudWatch Logs. */
  readonly retentionDays: number;
  /** Bucket that receives the trail bucket's access logs. */
  readonly accessLogs: s3.IBucket;
  /** Buckets whose object-level reads and writes are recorded (S3 data events). */
  readonly dataEventBuckets: s3.IBucket[];
}

/**
 * The account's audit trail (MON-AUDIT, ACC-DATA): a multi-region CloudTrail with
 * log-file integrity validation, encrypted with a customer key, delivered to its
 * own retained bucket and to CloudWatch Logs, and recording S3 data events of the
 * buckets that hold customer data.
 */
export class AuditTrail extends Construct {
  /** The trail. */
  readonly trail: cloudtrail.Trail;
  /** CloudWatch Logs copy of the trail; metric filters read it. */
  readonly logGroup: EncryptedLogGroup;
  /** Bucket of the trail files. */
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { account, partition } = Stack.of(this);
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${account}:trail/*`,
          },
        },
      }),
    );

    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.encryptionKey,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'AuditTrailBucket/',
      lifecycleRules: [
        {
          id: 'ExpireAfterRetention',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.logGroup = new EncryptedLogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.retentionDays,
    });
    this.trail = new cloudtrail.Trail(this, 'Resource', {
      bucket: this.bucket,
      encryptionKey: props.encryptionKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });
    acknowledge(this.bucket, 'auditTrailBucketNotReplicated');
    acknowledge(this.bucket, 'accessLogsPolicyInTargetBucket');
    acknowledge(this.bucket, 'accessLogTargetImported');
    acknowledge(this.bucket, 'logBucketWithoutObjectLock');
    acknowledge(
      this.trail.node.findChild('LogsRole').node.findChild('DefaultPolicy'),
      'cdkGeneratedRolePolicy',
    );
    this.trail.addS3EventSelector(
      props.dataEventBuckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false },
    );
  }
}
