import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from '../aws-client-config';
import { clientCache } from '../client-cache';

/**
 * The AWS clients drift detection uses, one per service and region. Tests pass clients
 * whose `send` is mocked; the CLI uses {@link driftClients}.
 */
export interface DriftClients {
  /** CloudFormation in `region` (drift detection runs in each stack's own region). */
  cloudFormation(region: string): CloudFormationClient;
  /** STS in `region` (whose account the credentials are for). */
  sts(region: string): STSClient;
  /** Closes every client created so far. */
  destroy(): void;
}

/** Real clients with the default credential chain, created on first use and reused per region. */
export function driftClients(): DriftClients {
  const { cached, destroy } = clientCache();
  return {
    cloudFormation: cached(
      'cloudformation',
      (region) => new CloudFormationClient(awsClientConfig(region)),
    ),
    sts: cached('sts', (region) => new STSClient(awsClientConfig(region))),
    destroy,
  };
}
