import { CONFIG_CONSTRAINTS, type ConfigConstraint } from '../../lib/compliance/config-constraints';
import { CONTROLS, type Control } from '../../lib/compliance/controls';
import { judgeEvidence } from '../../lib/compliance/report';
import { ConfigError, loadStageConfigs, type StageConfig } from '../../lib/config';
import { stackName } from '../../lib/stage-layout';
import { valueAtKey, withKey } from '../support/dotted-key';
import { synthesizeStage } from '../support/stage-templates';
import { projectContext } from '../support/synth';

type Block = Record<string, unknown>;
const shipped = projectContext().stages as Record<string, Block>;
const STAGE_NAMES = Object.keys(shipped);

/** The problems the schema reports for one stage block on its own (no cross-stage checks). */
function problemsOf(stage: string, block: Block): string[] {
  try {
    loadStageConfigs({ [stage]: block });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const controlOf = (c: ConfigConstraint): Control | undefined =>
  CONTROLS.find((x) => x.id === c.control);
const validConfig = (stage: string): StageConfig =>
  loadStageConfigs({ [stage]: shipped[stage] })[0];

/** Each of the control's claims judged on a stage built from `config`, by claim. */
function judge(control: Control, config: StageConfig): Map<string, boolean> {
  const resources = synthesizeStage(config);
  return new Map(
    control.evidence.map((e) => [
      e.claim,
      judgeEvidence(
        e,
        config.title,
        stackName(config.title, e.stack),
        resources[e.stack],
        {},
        {
          'database.crossRegionReplica': config.database.crossRegionReplica,
          'backup.runner': config.backup.runner,
        },
      ).ok,
    ]),
  );
}

const rows = (pick: (c: ConfigConstraint) => readonly unknown[]) =>
  CONFIG_CONSTRAINTS.flatMap((c) =>
    STAGE_NAMES.flatMap((stage) =>
      pick(c).map((value) => ({ control: c.control, key: c.key, stage, value })),
    ),
  );

describe('CONFIG_CONSTRAINTS', () => {
  it('is not empty', () => {
    expect(CONFIG_CONSTRAINTS.length).toBeGreaterThan(0);
  });

  it.each(CONFIG_CONSTRAINTS)(
    '$key names a control of the catalogue ($control) and a key of every shipped stage',
    (c) => {
      expect(controlOf(c)?.evidence.length).toBeGreaterThan(0);
      expect(c.refused.length).toBeGreaterThan(0);
      expect(c.accepted.length).toBeGreaterThan(0);
      for (const stage of STAGE_NAMES) expect(valueAtKey(validConfig(stage), c.key)).toBeDefined();
    },
  );
});

describe('the stage schema', () => {
  it.each(rows((c) => c.refused))(
    'rejects $key = $value in $stage, naming the key and $control',
    ({ control, key, stage, value }) => {
      const problems = problemsOf(stage, withKey(shipped[stage], key, value));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        new RegExp(`^stages\\.${stage}\\.${escape(key)} = ${escape(JSON.stringify(value))}: `),
      );
      expect(problems[0]).toContain(`(${control}`);
    },
  );

  it.each(rows((c) => c.accepted))(
    'accepts $key = $value in $stage, just inside what $control allows',
    ({ key, stage, value }) => {
      expect(problemsOf(stage, withKey(shipped[stage], key, value))).toEqual([]);
    },
  );
});

describe.each(STAGE_NAMES)(
  'a %s stage built with a refused value anyway (the schema bypassed)',
  (stage) => {
    const base = validConfig(stage);
    const holdsJustInside = new Map<ConfigConstraint, string[]>();
    /** Claims of the constraint's control that hold with every accepted value. */
    const holding = (c: ConfigConstraint, control: Control): string[] => {
      let claims = holdsJustInside.get(c);
      if (!claims) {
        const judged = c.accepted.map((v) => judge(control, withKey(base, c.key, v)));
        claims = control.evidence
          .map((e) => e.claim)
          .filter((claim) => judged.every((j) => j.get(claim) === true));
        holdsJustInside.set(c, claims);
      }
      return claims;
    };

    it.each(
      CONFIG_CONSTRAINTS.flatMap((c) => c.refused.map((value) => ({ ...c, constraint: c, value }))),
    )(
      'fails a claim of $control with $key = $value that holds just inside',
      ({ constraint, key, value }) => {
        const control = controlOf(constraint);
        if (!control) throw new Error(`${constraint.control} is no control of the catalogue`);
        const holds = holding(constraint, control);
        expect(holds).not.toEqual([]);
        const judged = judge(control, withKey(base, key, value));
        expect(holds.filter((claim) => judged.get(claim) === false)).not.toEqual([]);
      },
      60_000,
    );
  },
);
