import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { ShieldClient } from '@aws-sdk/client-shield';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from '../aws-client-config';
import { clientCache } from '../client-cache';

/**
 * The AWS clients preflight reads the account with, one per service and region.
 * Tests pass clients whose `send` is mocked; the CLI uses {@link preflightClients}.
 */
export interface PreflightClients {
  sts(region: string): STSClient;
  ssm(region: string): SSMClient;
  cloudFormation(region: string): CloudFormationClient;
  lambda(region: string): LambdaClient;
  guardDuty(region: string): GuardDutyClient;
  securityHub(region: string): SecurityHubClient;
  config(region: string): ConfigServiceClient;
  rds(region: string): RDSClient;
  cognito(region: string): CognitoIdentityProviderClient;
  s3(region: string): S3Client;
  logs(region: string): CloudWatchLogsClient;
  /** Route 53 is global. */
  route53(): Route53Client;
  /** IAM is global. */
  iam(): IAMClient;
  /** Shield Advanced's API is global (us-east-1). */
  shield(): ShieldClient;
  /** Closes every client created so far. */
  destroy(): void;
}

/** Real clients with the default credential chain, created on first use per region. */
export function preflightClients(): PreflightClients {
  const { cached, destroy } = clientCache();
  const route53 = cached('route53', (region) => new Route53Client(awsClientConfig(region)));
  const shield = cached('shield', (region) => new ShieldClient(awsClientConfig(region)));
  const iam = cached('iam', (region) => new IAMClient(awsClientConfig(region)));
  return {
    sts: cached('sts', (region) => new STSClient(awsClientConfig(region))),
    ssm: cached('ssm', (region) => new SSMClient(awsClientConfig(region))),
    cloudFormation: cached(
      'cloudformation',
      (region) => new CloudFormationClient(awsClientConfig(region)),
    ),
    lambda: cached('lambda', (region) => new LambdaClient(awsClientConfig(region))),
    guardDuty: cached('guardduty', (region) => new GuardDutyClient(awsClientConfig(region))),
    securityHub: cached('securityhub', (region) => new SecurityHubClient(awsClientConfig(region))),
    config: cached('config', (region) => new ConfigServiceClient(awsClientConfig(region))),
    rds: cached('rds', (region) => new RDSClient(awsClientConfig(region))),
    cognito: cached(
      'cognito-idp',
      (region) => new CognitoIdentityProviderClient(awsClientConfig(region)),
    ),
    s3: cached('s3', (region) => new S3Client(awsClientConfig(region))),
    logs: cached('logs', (region) => new CloudWatchLogsClient(awsClientConfig(region))),
    route53: () => route53('us-east-1'),
    shield: () => shield('us-east-1'),
    iam: () => iam('us-east-1'),
    destroy,
  };
}
