import * as fs from 'node:fs';
import * as path from 'node:path';
import { type StageConfig, loadStageConfigs } from '../../lib/config';

/** The project's `cdk.json`. */
export const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** Every stage of `cdk.json`, validated as at synth (throws `ConfigError` naming each key). */
export function projectStages(file = CDK_JSON): StageConfig[] {
  const cdkJson = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: { stages?: unknown } };
  return loadStageConfigs(cdkJson.context?.stages);
}

/** One stage by name, or an error listing the stages there are. */
export function projectStage(name: string, file = CDK_JSON): StageConfig {
  const stages = projectStages(file);
  const found = stages.find((s) => s.name === name);
  if (!found) {
    throw new Error(
      `No stage "${name}" in cdk.json; stages: ${stages.map((s) => s.name).join(', ')}`,
    );
  }
  return found;
}
