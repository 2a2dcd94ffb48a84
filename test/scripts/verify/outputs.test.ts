import { STAGES, template } from '../../support/assembly';
import { type StagePart, stageParts } from '../../../lib/stage-layout';
import { REQUIRED_OUTPUTS } from '../../../scripts/lib/verify/stack-outputs';
import { stageConfig } from './fixtures';

const outputsOf = (stage: (typeof STAGES)[number], part: StagePart) =>
  Object.keys(template(stage, part).toJSON().Outputs ?? {});

describe('stack outputs npm run verify reads', () => {
  const partsOf = (stage: (typeof STAGES)[number]) =>
    stageParts(stageConfig(stage === 'Staging' ? 'staging' : 'production'));
  it.each(STAGES.flatMap((stage) => partsOf(stage).map((part) => [stage, part] as const)))(
    'Bulwark-%s-%s has every output the checks need',
    (stage, part) => {
      expect(REQUIRED_OUTPUTS[part].filter((key) => !outputsOf(stage, part).includes(key))).toEqual(
        [],
      );
    },
  );

  it.each(STAGES)('Bulwark-%s-Security names its detector when the stage creates one', (stage) => {
    const cfg = stageConfig(stage === 'Staging' ? 'staging' : 'production');
    expect(cfg.guardDuty).toBe('create');
    expect(outputsOf(stage, 'Security')).toContain('DetectorId');
  });
});
