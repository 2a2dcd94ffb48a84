import { ALLOWED_REGIONS } from '../../lib/config';
import { STAGE_PARTS, type StagePart } from '../../lib/stage-layout';
import { assembly, template } from '../support/assembly';

/** The parts both stages have (the Replica stack is production's only). */
const PARTS: readonly StagePart[] = STAGE_PARTS.filter((p) => p !== 'Replica');

/**
 * Resources that exist once per AZ or per replica, so that counts differ by stage,
 * and those production's config turns on: Shield Advanced, DNS records in its
 * hosted zone, the SAML identity provider, and the backup runner (`backup.runner`: the
 * Lambda in staging, the Fargate task and its image endpoints in production).
 */
const SCALED =
  /(Subnet3|Replica2|Shield|Alias|PeopleSaml|NightlyBackup(Function|Task|FailedExport)|Ecr(Api|Docker)Endpoint)/;
/** Resource types that only production's config turns on. */
const CONFIGURED_TYPES = [
  'AWS::Shield::Protection',
  'AWS::Shield::ProtectionGroup',
  'AWS::Route53::RecordSet',
  'AWS::Cognito::UserPoolIdentityProvider',
  'AWS::ECS::Cluster',
  'AWS::ECS::TaskDefinition',
];

/** Logical ids without the stage name and the hashes derived from it. */
const shape = (id: string) =>
  id
    .replace(/staging|production/gi, '')
    .replace(/[0-9a-f]{32}$/, '')
    .replace(/[0-9A-F]{8}$/, '')
    .replace(/(SqsEventSource\w+?|AllowEventRule\w+?)[0-9A-F]{8}$/, '$1')
    .replace(/[0-9A-F]{8}(\d+)$/, '$1');

describe('SDLC-STAGE: staging is production, downscaled', () => {
  it.each(PARTS)('%s has the same resources in both stages, but for scaled ones', (part) => {
    const ids = (stage: 'Staging' | 'Production') =>
      Object.keys(template(stage, part).toJSON().Resources)
        .filter((id) => !SCALED.test(id))
        .map(shape);
    expect(ids('Staging').sort()).toEqual(ids('Production').sort());
  });

  it.each(PARTS)('%s sets the same properties on shared resource types', (part) => {
    const types = (stage: 'Staging' | 'Production') =>
      [...new Set(Object.values<any>(template(stage, part).toJSON().Resources).map((r) => r.Type))]
        .filter((type) => !CONFIGURED_TYPES.includes(type))
        .sort();
    expect(types('Staging')).toEqual(types('Production'));
  });
});

describe('PHY-DC: only commercial AWS regions', () => {
  it('deploys every stack to an allowed region', () => {
    const stacks = assembly().stacks;
    // Seven stacks per stage, and production's cross-region replica.
    expect(stacks).toHaveLength(15);
    for (const stack of stacks) {
      expect(ALLOWED_REGIONS).toContain(stack.environment.region);
    }
  });
});
