import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';

/**
 * The stage's Route 53 hosted zone (`edge.hostedZone`), when configured: referenced,
 * never created. The App stack validates the origin certificate through it, the Edge
 * stack the viewer certificate and the distribution's alias records.
 */
export function stageHostedZone(
  scope: Construct,
  zone: StageConfig['edge']['hostedZone'],
): route53.IHostedZone | undefined {
  return zone
    ? route53.HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', {
        hostedZoneId: zone.id,
        zoneName: zone.name,
      })
    : undefined;
}
