import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';

/** Name of the AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_FACING = 'com.amazonaws.global.cloudfront.origin-facing';

/** Name of the prefix list of S3 in a region (the S3 gateway endpoint's routes). */
export const s3PrefixListName = (region: string) => `com.amazonaws.${region}.s3`;

/** Properties of a {@link ManagedPrefixList}. */
export interface ManagedPrefixListProps {
  /** Name of the AWS-managed prefix list. */
  readonly prefixListName: string;
  /** Customer key of the lookup function's log group. */
  readonly logKey: kms.IKey;
  /** Retention of its logs in days. */
  readonly logRetentionDays: number;
}

/** Construct id CDK gives the one function behind every AwsCustomResource of a stack. */
export const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
const acknowledgedProviders = new WeakSet<IConstruct>();

/**
 * Looks up the id of an AWS-managed prefix list in the stack's region at deploy time
 * (ids differ per region, and synthesis stays offline).
 */
export class ManagedPrefixList extends Construct {
  /** The prefix list id, e.g. `pl-4fa04526`. */
  readonly prefixListId: string;

  constructor(scope: Construct, id: string, props: ManagedPrefixListProps) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [props.prefixListName] }] },
      physicalResourceId: cr.PhysicalResourceId.of(props.prefixListName),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const stack = Stack.of(this);
    const firstInStack = !stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    const lookup = new cr.AwsCustomResource(this, 'Lookup', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      memorySize: 256,
      ...(firstInStack && {
        logGroup: new EncryptedLogGroup(this, 'Logs', {
          encryptionKey: props.logKey,
          retentionDays: props.logRetentionDays,
        }),
      }),
      // DescribeManagedPrefixLists supports no resource-level permissions.
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
        resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE,
      }),
    });
    this.prefixListId = lookup.getResponseField('PrefixLists.0.PrefixListId');
    acknowledge(lookup.node.findChild('CustomResourcePolicy'), 'describeNeedsWildcard');
    acknowledge(lookup.node.findChild('CustomResourcePolicy'), 'cdkGeneratedRolePolicy');
    // The provider function is a singleton at the stack root, shared by every lookup.
    const provider = stack.node.findChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (!acknowledgedProviders.has(provider)) {
      acknowledgedProviders.add(provider);
      acknowledge(provider, 'deployTimeLookup');
      acknowledge(provider.node.findChild('ServiceRole'), 'lambdaBasicExecutionPolicy');
    }
  }
}
