import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACKNOWLEDGEMENTS } from './acknowledgements';
import { CONTROL_TOWER_PLUGIN } from './nag-packs';

/**
 * AWS Control Tower proactive controls and Bulwark's templates. The controls run as
 * CloudFormation hooks (`AWS::ControlTower::Hook`) and reject a resource at deploy
 * time whatever an acknowledgement says, so a team that enables one on the stage
 * account's organizational unit must know which controls the stage fails by design.
 */

/** One proactive control a stage's template fails, and why Bulwark accepts it. */
export interface ControlTowerGap {
  /** Control id, e.g. `CT.S3.PR.10`. */
  readonly control: string;
  /** The cfn-guard rule of the control, e.g. `s3_bucket_default_encryption_kms_check`. */
  readonly rule: string;
  /** Stack and construct path of the resource. */
  readonly stack: string;
  readonly path: string;
  /** The acknowledgement's reason. */
  readonly reason: string;
}

const RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

let ruleControls: Map<string, string> | undefined;

/**
 * The Control Tower control id of each cfn-guard rule name, read from the rule files
 * the plugin ships (`<service>/ct-<service>-pr-<n>.guard` holds the rule).
 */
export function controlTowerControls(): ReadonlyMap<string, string> {
  if (ruleControls) return ruleControls;
  const map = new Map<string, string>();
  for (const service of fs.readdirSync(RULES_DIR)) {
    for (const file of fs.readdirSync(path.join(RULES_DIR, service))) {
      const id = /^ct-([a-z0-9]+)-pr-(\d+)\.guard$/.exec(file);
      if (!id) continue;
      const source = fs.readFileSync(path.join(RULES_DIR, service, file), 'utf8');
      const rule = /^rule (\w+) when is_cfn_template/m.exec(source)?.[1];
      if (rule) map.set(rule, `CT.${id[1].toUpperCase()}.PR.${id[2]}`);
    }
  }
  ruleControls = map;
  return map;
}

/** Reasons of acknowledgements that only a static reading of a template needs. */
const STATIC_ONLY: ReadonlySet<string> = new Set<string>(
  Object.values(ACKNOWLEDGEMENTS)
    .filter((a) => 'staticReadingOnly' in a && a.staticReadingOnly)
    .map((a) => a.reason),
);

/**
 * The proactive controls the given stacks of a cloud assembly fail by design: every
 * acknowledged Control Tower finding, read from the stacks' metadata, except those
 * that exist only for a static reading of the template (a hook sees the resolved
 * value and passes it).
 */
export function controlTowerGaps(
  assemblyDir: string,
  stackNames: readonly string[],
): ControlTowerGap[] {
  const controls = controlTowerControls();
  const gaps: ControlTowerGap[] = [];
  for (const stack of stackNames) {
    const file = path.join(assemblyDir, `${stack}.metadata.json`);
    const metadata = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<
      string,
      Array<{ type: string; data: Record<string, string> }>
    >;
    for (const [constructPath, entries] of Object.entries(metadata)) {
      for (const entry of entries.filter((e) => e.type === 'aws:cdk:acknowledged-rules')) {
        for (const [finding, reason] of Object.entries(entry.data)) {
          const prefix = `${CONTROL_TOWER_PLUGIN}::`;
          if (!finding.startsWith(prefix) || STATIC_ONLY.has(reason)) continue;
          const rule = finding.slice(prefix.length);
          const control = controls.get(rule);
          if (!control) throw new Error(`${stack}: no Control Tower control has the rule ${rule}`);
          gaps.push({ control, rule, stack, path: constructPath, reason });
        }
      }
    }
  }
  return gaps.sort((a, b) => a.control.localeCompare(b.control) || a.path.localeCompare(b.path));
}
