import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';

/** Properties of a {@link CloudFrontPrefixList}. */
export interface CloudFrontPrefixListProps {
  /** Customer key of the lookup function's log group. */
  readonly logKey: kms.IKey;
  /** Retention of its logs in days. */
  readonly logRetentionDays: number;
}

/** Name of the AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_FACING = 'com.amazonaws.global.cloudfront.origin-facing';

/** Construct id CDK gives the one function behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Looks up the id of CloudFront's origin-facing managed prefix list in the stack's
 * region at deploy time (it differs per region, and synthesis stays offline).
 */
export class CloudFrontPrefixList extends Construct {
  /** The prefix list id, e.g. `pl-4fa04526`. */
  readonly prefixListId: string;

  constructor(scope: Construct, id: string, props: CloudFrontPrefixListProps) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_ORIGIN_FACING] }] },
      physicalResourceId: cr.PhysicalResourceId.of(CLOUDFRONT_ORIGIN_FACING),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const lookup = new cr.AwsCustomResource(this, 'Lookup', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      memorySize: 256,
      logGroup: new EncryptedLogGroup(this, 'Logs', {
        encryptionKey: props.logKey,
        retentionDays: props.logRetentionDays,
      }),
      // DescribeManagedPrefixLists supports no resource-level permissions.
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
        resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE,
      }),
    });
    this.prefixListId = lookup.getResponseField('PrefixLists.0.PrefixListId');
    acknowledge(lookup.node.findChild('CustomResourcePolicy'), 'describeNeedsWildcard');
    acknowledge(lookup.node.findChild('CustomResourcePolicy'), 'cdkGeneratedRolePolicy');
    // The provider function is a singleton at the stack root.
    const provider = Stack.of(this).node.findChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    acknowledge(provider, 'deployTimeLookup');
    acknowledge(provider.node.findChild('ServiceRole'), 'lambdaBasicExecutionPolicy');
  }
}
