import { Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';
import { SecureBucket, expireAfterRetention } from './secure-bucket';

/** Properties of an {@link AuditTrail}. */
export interface AuditTrailProps {
  /** Name of the trail; fixed, so that the key policy can scope CloudTrail to it. */
  readonly trailName: string;
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
    const { account, partition, region } = Stack.of(this);
    // The trail's ARN is known before the trail exists (its name is fixed), so the key
    // policy can name it: AWS's documented key policy for a trail
    // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
    const trailArn = `arn:${partition}:cloudtrail:${region}:${account}:trail/${props.trailName}`;
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': trailArn } };
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromThisTrail,
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${account}:trail/*`,
          },
        },
      }),
    );
    // A DescribeKey call carries no encryption context: only the trail scopes it.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: fromThisTrail,
      }),
    );
    // The trail bucket uses an S3 Bucket Key: CloudTrail needs kms:Decrypt to create
    // or update a trail that delivers SSE-KMS files into it. Like every statement for
    // CloudTrail, it is scoped by aws:SourceArn to this trail, as the same page advises.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDecryptTrail',
        principals: [cloudTrail],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: fromThisTrail,
      }),
    );

    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.encryptionKey,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'AuditTrailBucket/',
      lifecycleRules: [expireAfterRetention(props.retentionDays)],
    });
    this.logGroup = new EncryptedLogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.retentionDays,
    });
    this.trail = new cloudtrail.Trail(this, 'Resource', {
      trailName: props.trailName,
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
