import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import type { PreflightContext } from '../context';
import { type CheckResult, errorEvidence, failWithFix, pass, skip } from '../../verify/types';

/**
 * DEP-READY: the configured hosted zone exists, is public and holds the domain
 * (certificates are validated through it, and the alias records go into it).
 */
export async function checkHostedZone(ctx: PreflightContext): Promise<CheckResult> {
  const { cfg } = ctx;
  const zone = cfg.edge.hostedZone;
  const check = 'hosted zone of the domain';
  if (!zone) {
    return skip(
      'DEP-READY',
      check,
      'no edge.hostedZone: certificates wait for DNS validation by hand (README, Deploy)',
    );
  }
  try {
    const { HostedZone } = await ctx.clients
      .route53()
      .send(new GetHostedZoneCommand({ Id: zone.id }));
    const name = String(HostedZone?.Name ?? '').replace(/\.$/, '');
    if (HostedZone?.Config?.PrivateZone) {
      return failWithFix(
        'DEP-READY',
        check,
        `${zone.id} is a private zone; ACM cannot validate through it`,
        `set edge.hostedZone to the public zone of ${cfg.domainName}`,
      );
    }
    const holds = cfg.domainName === name || cfg.domainName.endsWith(`.${name}`);
    return holds && name === zone.name
      ? pass('DEP-READY', check, `${zone.id} is ${name}`)
      : failWithFix(
          'DEP-READY',
          check,
          `${zone.id} is ${name}, but the stage says ${zone.name} for ${cfg.domainName}`,
          `set edge.hostedZone to the id and name of the zone that holds ${cfg.domainName}`,
        );
  } catch (err) {
    return failWithFix(
      'DEP-READY',
      check,
      err instanceof Error && err.name === 'NoSuchHostedZone'
        ? `no hosted zone ${zone.id} in this account`
        : errorEvidence(err),
      `create the zone or correct edge.hostedZone: aws route53 list-hosted-zones-by-name --dns-name ${zone.name}`,
    );
  }
}
