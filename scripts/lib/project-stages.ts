import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type StageConfig, loadStageConfigs } from '../../lib/config';
import { ALLOWED_REGIONS } from '../../lib/config/regions';
import { type CliError, cannotRun, usageError } from './cli';

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

/**
 * The stage a command line names with `--stage`, or the one line that says what is
 * wrong (no stage given, an unknown one naming the stages there are, or an invalid
 * cdk.json).
 */
export function stageArgument(
  tool: string,
  name: string | undefined,
  file = CDK_JSON,
): { readonly cfg: StageConfig } | { readonly problem: string } {
  let stages: StageConfig[];
  try {
    stages = projectStages(file);
  } catch (err) {
    return {
      problem:
        err instanceof ConfigError
          ? err.message
          : `Cannot read cdk.json: ${(err as Error).message}`,
    };
  }
  const cfg = stages.find((s) => s.name === name);
  if (cfg) return { cfg };
  return {
    problem: name
      ? `${tool}: no stage ${name} in cdk.json (stages: ${stages.map((s) => s.name).join(', ')})`
      : `${tool}: --stage is required (see --help)`,
  };
}

/**
 * The stage `--stage` names and the primary region to read it in (`--region`, by
 * default the stage's own), or the error that ends the command: exit 2 with the
 * stage problem, or a usage error for a region Bulwark does not deploy to.
 */
export function stageInRegion(
  tool: string,
  name: string | undefined,
  region: string | undefined,
  file = CDK_JSON,
): { readonly cfg: StageConfig; readonly region: string } | CliError {
  const chosen = stageArgument(tool, name, file);
  if ('problem' in chosen) return cannotRun(chosen.problem);
  const primary = region ?? chosen.cfg.region;
  if (!(ALLOWED_REGIONS as readonly string[]).includes(primary)) {
    return usageError(`--region ${primary} is not a region Bulwark deploys to (PHY-DC)`);
  }
  return { cfg: chosen.cfg, region: primary };
}
