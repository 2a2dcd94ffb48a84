import { STAGES, template } from '../../support/assembly';
import { STAGE_PARTS } from '../../../lib/stage-layout';
import { REQUIRED_OUTPUTS } from '../../../scripts/lib/verify/stack-outputs';
import { stageConfig } from './fixtures';

const outputsOf = (stage: (typeof STAGES)[number], part: (typeof STAGE_PARTS)[number]) =>
  Object.keys(template(stage, part).toJSON().Outputs ?? {});

describe('stack outputs npm run verify reads', () => {
  it.each(STAGES.flatMap((stage) => STAGE_PARTS.map((part) => [stage, part] as const)))(
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
