import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { STSClient } from '@aws-sdk/client-sts';
import { clientCache } from '../client-cache';

/**
 * The AWS clients `npm run dr:promote` uses, one per service and region. Tests pass
 * clients whose `send` is mocked; the CLI uses {@link drPromoteClients}.
 */
export interface DrPromoteClients {
  /** RDS in `region`: the replica's (DR) region, and the primary's to describe it. */
  rds(region: string): RDSClient;
  /** CloudWatch in the DR region (the replica's `ReplicaLag`). */
  cloudWatch(region: string): CloudWatchClient;
  /** STS in the DR region (whose account the credentials are for). */
  sts(region: string): STSClient;
  /** Closes every client created so far. */
  destroy(): void;
}

/**
 * Real clients with the default credential chain, created on first use and reused per
 * region. Unlike the read-only tools, not through `BULWARK_READ_ROLE_ARN`: a
 * promotion writes, which the read role may not.
 */
export function drPromoteClients(): DrPromoteClients {
  const { cached, destroy } = clientCache();
  return {
    // A region that is down must not hold the plan: give up connecting after 5 s.
    rds: cached(
      'rds',
      (region) =>
        new RDSClient({
          region,
          requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
        }),
    ),
    cloudWatch: cached('cloudwatch', (region) => new CloudWatchClient({ region })),
    sts: cached('sts', (region) => new STSClient({ region })),
    destroy,
  };
}
