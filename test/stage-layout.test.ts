import { loadStageConfigs } from '../lib/config';
import { CLOUDFRONT_REGION } from '../lib/config/regions';
import {
  OUTPUT_KEYS,
  STAGE_PARTS,
  isStagePart,
  parseStackName,
  regionOf,
  stackName,
  stageParts,
  stageStackPattern,
  stageStacks,
} from '../lib/stage-layout';
import { STAGES, assembly, template } from './support/assembly';
import { projectContext } from './support/synth';

const configs = loadStageConfigs(projectContext().stages);
const regions = { region: 'eu-west-1', drRegion: 'eu-central-1' };

describe('stage layout', () => {
  it('names each stack Bulwark-<Title>-<Part>', () => {
    expect(stackName('Staging', 'Network')).toBe('Bulwark-Staging-Network');
    expect(stackName('QaEu', 'Edge')).toBe('Bulwark-QaEu-Edge');
    expect(stageStackPattern('Production')).toBe('Bulwark-Production-*');
  });

  it.each(STAGE_PARTS)('reads the title and part %s back from the stack name', (part) => {
    expect(parseStackName(stackName('Stage2', part))).toEqual({ title: 'Stage2', part });
  });

  it('reads no part from a name that is no stack of a stage', () => {
    for (const name of [
      'Bulwark-Sandbox-Assertions',
      'Bulwark-Staging',
      'Other-Staging-Data',
      'Bulwark-Staging-Data-Extra',
      'Bulwark-Staging-data',
    ]) {
      expect(parseStackName(name)).toBeUndefined();
    }
    expect(isStagePart('Data')).toBe(true);
    expect(isStagePart('Assertions')).toBe(false);
  });

  it('puts Edge in us-east-1, Recovery and Replica in the DR region and the rest in the primary one', () => {
    expect(Object.fromEntries(STAGE_PARTS.map((p) => [p, regionOf(p, regions)]))).toEqual({
      Network: 'eu-west-1',
      Recovery: 'eu-central-1',
      Data: 'eu-west-1',
      Replica: 'eu-central-1',
      Security: 'eu-west-1',
      DeployAccess: 'eu-west-1',
      App: 'eu-west-1',
      Edge: CLOUDFRONT_REGION,
    });
  });

  it('lists every stack of a stage in part order, in another primary region when asked', () => {
    const expected = (parts: readonly string[]) =>
      parts.map((part) => ({
        part,
        name: `Bulwark-Staging-${part}`,
        region:
          { Recovery: 'eu-central-1', Replica: 'eu-central-1', Edge: 'us-east-1' }[part] ??
          'eu-north-1',
      }));
    const withoutReplica = STAGE_PARTS.filter((p) => p !== 'Replica');
    expect(stageStacks({ ...regions, title: 'Staging' }, 'eu-north-1')).toEqual(
      expected(withoutReplica),
    );
    // The Replica stack only where the stage has the cross-region replica.
    expect(
      stageStacks(
        { ...regions, title: 'Staging', database: { crossRegionReplica: true } },
        'eu-north-1',
      ),
    ).toEqual(expected(STAGE_PARTS));
  });

  it.each(configs.map((c) => [c.title, c] as const))(
    'matches the synthesized stacks of %s: names, regions, order',
    (title, cfg) => {
      const synthesized = assembly()
        .stacks.filter((s) => parseStackName(s.id)?.title === title)
        .map((s) => ({
          part: parseStackName(s.id)!.part,
          name: s.id,
          region: s.environment.region,
        }));
      expect(synthesized).toEqual(stageStacks(cfg));
    },
  );

  it.each(STAGES)('has a key for every output of the stacks of %s, and no other', (stage) => {
    const cfg = configs.find((c) => c.title === stage)!;
    // Outputs of one backup runner only.
    const other: Record<string, string[]> = {
      lambda: [OUTPUT_KEYS.App.backupClusterArn, OUTPUT_KEYS.App.backupTaskDefinitionArn],
      fargate: [OUTPUT_KEYS.App.backupFunctionName],
    };
    for (const part of stageParts(cfg)) {
      const outputs = Object.keys(template(stage, part).toJSON().Outputs ?? {}).filter(
        // CDK's own outputs: cross-stack exports.
        (key) => !key.startsWith('ExportsOutput'),
      );
      const keys = Object.values<string>(OUTPUT_KEYS[part]).filter(
        (k) => part !== 'App' || !other[cfg.backup.runner].includes(k),
      );
      expect(outputs.sort()).toEqual(keys.sort());
    }
  });
});
