import { SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { RegionalClients } from './waf-ip-sets';

/** One SSM and one WAF client per region, created on first use. */
export function regionalClients(): RegionalClients {
  const ssm = new Map<string, SSMClient>();
  const waf = new Map<string, WAFV2Client>();
  const of = <T>(cache: Map<string, T>, region: string, make: () => T): T => {
    if (!cache.has(region)) cache.set(region, make());
    return cache.get(region)!;
  };
  return {
    ssm: (region) => of(ssm, region, () => new SSMClient({ region })),
    waf: (region) => of(waf, region, () => new WAFV2Client({ region })),
  };
}
