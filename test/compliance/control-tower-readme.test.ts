import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlTowerGaps } from '../../lib/compliance/control-tower';
import { loadStageConfigs } from '../../lib/config';
import { stackName, stageParts } from '../../lib/stage-layout';
import { STAGES } from '../support/assembly';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The README's table of proactive controls a stage fails: control → its stages column. */
const documented = new Map(
  [
    ...README.matchAll(/^\| (CT\.[A-Z0-9]+\.PR\.\d+)\s*\|.*\|\s*(both|staging|production)\s*\|$/gm),
  ].map((m) => [m[1], m[2]]),
);

describe('README: Control Tower proactive controls each stage fails by design', () => {
  it('has the table', () => {
    expect(documented.size).toBeGreaterThan(5);
  });

  it.each(STAGES)('lists every control %s fails, and no other for it', (stage) => {
    const failed = new Set(
      controlTowerGaps(
        SHARED_ASSEMBLY_DIR,
        stageParts(configs.find((c) => c.title === stage)!).map((p) => stackName(stage, p)),
      ).map((g) => g.control),
    );
    const listed = [...documented]
      .filter(([, stages]) => stages === 'both' || stages === stage.toLowerCase())
      .map(([control]) => control);
    expect(listed.sort()).toEqual([...failed].sort());
  });
});
