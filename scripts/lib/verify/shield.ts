import { DescribeProtectionCommand, type ShieldClient } from '@aws-sdk/client-shield';
import { type CheckResult, errorEvidence, fail, judge, skip } from './types';

/** A resource Shield Advanced must protect. */
export interface ShieldedResource {
  /** What it is, in the check name (`load balancer`, `distribution`). */
  readonly label: string;
  readonly arn: string;
}

/**
 * DDOS: with `shield.advanced` on, each resource has a Shield Advanced protection
 * (DescribeProtection by ResourceArn; `ResourceNotFoundException` means none). With
 * it off, each check is SKIP: the stage relies on Shield Standard and the WAF.
 */
export async function checkShield(
  client: ShieldClient,
  advanced: boolean,
  stageName: string,
  resources: readonly ShieldedResource[],
): Promise<CheckResult[]> {
  return Promise.all(
    resources.map(async ({ label, arn }): Promise<CheckResult> => {
      const check = `Shield Advanced protects the ${label}`;
      if (!advanced) {
        return skip(
          'DDOS',
          check,
          `shield.advanced is off for stage ${stageName}: Shield Standard and the web ACLs only`,
        );
      }
      try {
        const { Protection: p } = await client.send(
          new DescribeProtectionCommand({ ResourceArn: arn }),
        );
        return judge(
          'DDOS',
          check,
          p?.ResourceArn === arn,
          `protection ${p?.Name ?? '?'} (${p?.Id ?? '?'}) covers ${p?.ResourceArn ?? 'nothing'}; expected ${arn}`,
        );
      } catch (err) {
        const none = err instanceof Error && err.name === 'ResourceNotFoundException';
        return fail(
          'DDOS',
          check,
          none
            ? `no Shield Advanced protection for ${arn} (ResourceNotFoundException); expected one (shield.advanced is on)`
            : errorEvidence(err),
        );
      }
    }),
  );
}
