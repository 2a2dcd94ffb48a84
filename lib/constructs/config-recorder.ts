import { Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';
import { AWS_CUSTOM_RESOURCE_PROVIDER_ID } from './managed-prefix-list';
import { SecureBucket, expireAfterRetention } from './secure-bucket';

/** Properties of a {@link ConfigRecorder}. */
export interface ConfigRecorderProps {
  /** Customer key of the delivered configuration history and snapshots. */
  readonly encryptionKey: kms.IKey;
  /** Days the delivered files are kept (the audit retention). */
  readonly retentionDays: number;
  /** Bucket that receives the delivery bucket's access logs. */
  readonly accessLogs: s3.IBucket;
  /** Retention of the deploy-time helper's logs, in days. */
  readonly logRetentionDays: number;
}

/** The service-linked role AWS Config records with (Security Hub's Config.1 expects it). */
export const CONFIG_SERVICE = 'config.amazonaws.com';
const CONFIG_ROLE_PATH = `aws-service-role/${CONFIG_SERVICE}/AWSServiceRoleForConfig`;

/** How often AWS Config delivers a configuration snapshot to the bucket. */
export const CONFIG_SNAPSHOT_FREQUENCY = 'TwentyFour_Hours';

/**
 * AWS Config for the stage's primary region (MON-AUDIT, THR-DETECT): the recorder
 * that Security Hub's standards evaluate, recording every supported resource type
 * and the global ones (IAM), with the service-linked role; a delivery channel to a
 * retained bucket encrypted with the audit key, with a daily snapshot.
 *
 * The service-linked role is created at deploy time when the account lacks it (a
 * custom resource calling `iam:CreateServiceLinkedRole`, which succeeds or reports
 * that the role exists), so that the recorder can be created in a fresh account and
 * in one that had AWS Config before. There is one recorder per account and region:
 * a stage whose account already records (AWS Control Tower, an organization
 * setup) sets `awsConfig: "existing"`.
 */
export class ConfigRecorder extends Construct {
  /** The configuration recorder. */
  readonly recorder: config.CfnConfigurationRecorder;
  /** Where configuration history and snapshots go. */
  readonly deliveryChannel: config.CfnDeliveryChannel;
  /** The delivery bucket. */
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { account, partition } = stack;

    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.encryptionKey,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'ConfigBucket/',
      lifecycleRules: [expireAfterRetention(props.retentionDays)],
    });
    // AWS Config's documented bucket policy for delivery with its service-linked role.
    const fromThisAccount = { StringEquals: { 'AWS:SourceAccount': account } };
    const service = new iam.ServicePrincipal(CONFIG_SERVICE);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketPermissionsCheck',
        principals: [service],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisAccount,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSConfigBucketDelivery',
        principals: [service],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${account}/Config/*`)],
        conditions: {
          StringEquals: {
            's3:x-amz-acl': 'bucket-owner-full-control',
            'AWS:SourceAccount': account,
          },
        },
      }),
    );
    for (const name of [
      'configBucketNotReplicated',
      'accessLogsPolicyInTargetBucket',
      'accessLogTargetImported',
      'logBucketWithoutObjectLock',
    ] as const) {
      acknowledge(this.bucket, name);
    }

    const roleArn = `arn:${partition}:iam::${account}:role/${CONFIG_ROLE_PATH}`;
    const ensureRole = this.ensureServiceLinkedRole(roleArn, props);

    this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
      recordingMode: { recordingFrequency: 'CONTINUOUS' },
    });
    this.recorder.node.addDependency(ensureRole);
    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: this.bucket.bucketName,
      s3KmsKeyArn: props.encryptionKey.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: CONFIG_SNAPSHOT_FREQUENCY },
    });
    // No dependency between the two: the recorder's creation waits until a delivery
    // channel exists (CloudFormation starts recording then), and the channel's waits
    // for a recorder, so either one depending on the other deadlocks the stack. Both
    // wait for the bucket policy, which AWS Config checks when it delivers.
    this.recorder.node.addDependency(this.bucket.policy!);
    this.deliveryChannel.node.addDependency(this.bucket.policy!);
  }

  /**
   * Creates AWS Config's service-linked role unless the account has it: IAM answers
   * `InvalidInput` ("has been taken in this account") when it exists, which is success.
   */
  private ensureServiceLinkedRole(roleArn: string, props: ConfigRecorderProps): Construct {
    const call: cr.AwsSdkCall = {
      service: 'IAM',
      action: 'createServiceLinkedRole',
      parameters: { AWSServiceName: CONFIG_SERVICE },
      physicalResourceId: cr.PhysicalResourceId.of('AWSServiceRoleForConfig'),
      ignoreErrorCodesMatching: 'InvalidInput',
    };
    const resource = new cr.AwsCustomResource(this, 'ServiceLinkedRole', {
      onCreate: call,
      installLatestAwsSdk: false,
      memorySize: 256,
      logGroup: new EncryptedLogGroup(this, 'ServiceLinkedRoleLogs', {
        encryptionKey: props.encryptionKey,
        retentionDays: props.logRetentionDays,
      }),
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [roleArn],
          conditions: { StringEquals: { 'iam:AWSServiceName': CONFIG_SERVICE } },
        }),
      ]),
    });
    acknowledge(resource.node.findChild('CustomResourcePolicy'), 'cdkGeneratedRolePolicy');
    // The provider function is a singleton at the stack root.
    const provider = Stack.of(this).node.findChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    acknowledge(provider, 'deployTimeServiceLinkedRole');
    acknowledge(provider.node.findChild('ServiceRole'), 'lambdaBasicExecutionPolicy');
    return resource;
  }
}
