import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { ShieldClient } from '@aws-sdk/client-shield';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from '../aws-client-config';
import { clientCache } from '../client-cache';
import { WAFV2Client } from '@aws-sdk/client-wafv2';

/**
 * The AWS clients the verifier reads the account with, one per service and region.
 * Tests pass clients whose `send` is mocked; the CLI uses {@link awsClients}.
 */
export interface VerifyClients {
  cloudFormation(region: string): CloudFormationClient;
  cloudWatch(region: string): CloudWatchClient;
  guardDuty(region: string): GuardDutyClient;
  wafv2(region: string): WAFV2Client;
  cloudTrail(region: string): CloudTrailClient;
  s3(region: string): S3Client;
  rds(region: string): RDSClient;
  sts(region: string): STSClient;
  /** Systems Manager (the break-glass session document). */
  ssm(region: string): SSMClient;
  /** Cognito user pools (`cognito-idp`). */
  cognito(region: string): CognitoIdentityProviderClient;
  /** AWS Config. */
  config(region: string): ConfigServiceClient;
  /** CloudFront's API is global (served from us-east-1). */
  cloudFront(): CloudFrontClient;
  /** Shield Advanced's API is global (served from us-east-1). */
  shield(): ShieldClient;
  /** Closes every client created so far. */
  destroy(): void;
}

/** Region of the global CloudFront and Shield APIs. */
const GLOBAL_API_REGION = 'us-east-1';

/**
 * Real clients with the default credential chain, created on first use and reused
 * per region.
 */
export function awsClients(): VerifyClients {
  const { cached, destroy } = clientCache();
  const shield = cached('shield', (region) => new ShieldClient(awsClientConfig(region)));
  const cloudFront = cached(
    'cloudfront',
    (region) => new CloudFrontClient(awsClientConfig(region)),
  );
  return {
    cloudFormation: cached(
      'cloudformation',
      (region) => new CloudFormationClient(awsClientConfig(region)),
    ),
    cloudWatch: cached('cloudwatch', (region) => new CloudWatchClient(awsClientConfig(region))),
    guardDuty: cached('guardduty', (region) => new GuardDutyClient(awsClientConfig(region))),
    wafv2: cached('wafv2', (region) => new WAFV2Client(awsClientConfig(region))),
    cloudTrail: cached('cloudtrail', (region) => new CloudTrailClient(awsClientConfig(region))),
    s3: cached('s3', (region) => new S3Client(awsClientConfig(region))),
    rds: cached('rds', (region) => new RDSClient(awsClientConfig(region))),
    sts: cached('sts', (region) => new STSClient(awsClientConfig(region))),
    ssm: cached('ssm', (region) => new SSMClient(awsClientConfig(region))),
    cognito: cached(
      'cognito-idp',
      (region) => new CognitoIdentityProviderClient(awsClientConfig(region)),
    ),
    config: cached('config', (region) => new ConfigServiceClient(awsClientConfig(region))),
    cloudFront: () => cloudFront(GLOBAL_API_REGION),
    shield: () => shield(GLOBAL_API_REGION),
    destroy,
  };
}
