/**
 * Findings that aws-cdk-lib itself acknowledges on constructs it generates. They
 * are not Bulwark's exceptions, but they appear in the cloud assembly next to
 * Bulwark's own, so each is listed here with why it is harmless.
 */
export const CDK_INTERNAL_ACKNOWLEDGEMENTS = [
  {
    ids: ['CloudFormation-Validate::F3002', 'CloudFormation-Validate::F3003'],
    construct: 'ec2.FlowLog',
    reason:
      'AWS::EC2::FlowLog DestinationOptions accepts properties in camelCase, even they are listed as PascalCase in the spec',
    why: 'Schema-lint false positive on a property Bulwark does not set (flow logs go to CloudWatch Logs, not S3); no control is affected.',
  },
] as const;

/**
 * CDK-owned resources that Bulwark does not write but deploys, with why each is
 * acceptable. Where a pack or a Control Tower rule reports one, the finding is
 * acknowledged on it through the registry like any other.
 */
export const CDK_INTERNAL_RESOURCES = [
  {
    resource: 'Custom::VpcRestrictDefaultSG and its provider Lambda (Network stack)',
    why: 'Removes every rule of the VPC default security group at deploy time (VPCDefaultSecurityGroupClosed, NET-SG). Runs only during CloudFormation operations, with ec2:AuthorizeSecurityGroup*/Revoke* on that one group.',
  },
  {
    resource: 'Custom::Trigger and its provider Lambda (App stack)',
    why: 'Invokes the schema migrator once per deploy whose migrator code changed, and fails the deployment when it fails; it can only invoke that function version.',
  },
  {
    resource:
      'Custom::CrossRegionExportWriter and Custom::CrossRegionExportReader with their provider Lambdas (Data, App and Edge stacks)',
    why: 'CloudFront takes its certificate and web ACL from us-east-1 while the distribution lives in the primary region, and its logs, metrics and Shield protection live in us-east-1: CDK passes these values as SSM parameters under /cdk/exports/, and refuses to delete a parameter another stack still reads.',
  },
  {
    resource:
      'Custom::AWS (prefix-list lookups: CloudFront origin-facing, regional S3) and their provider Lambda (Network stack)',
    why: 'Read the ids of the com.amazonaws.global.cloudfront.origin-facing and com.amazonaws.<region>.s3 managed prefix lists at deploy time (ec2:DescribeManagedPrefixLists only), so that synthesis needs no AWS account.',
  },
  {
    resource: 'AWS::Serverless::Application for the secret rotation (Data stack)',
    why: 'The AWS-published Secrets Manager single-user rotation function for PostgreSQL, deployed in the isolated App subnets with the rotation security group and the Secrets Manager endpoint (ACC-DATA).',
  },
] as const;

/** Construct ids of the providers aws-cdk-lib adds for cross-region references. */
export const CROSS_REGION_PROVIDER_IDS = [
  'Custom::CrossRegionExportWriterCustomResourceProvider',
  'Custom::CrossRegionExportReaderCustomResourceProvider',
] as const;
