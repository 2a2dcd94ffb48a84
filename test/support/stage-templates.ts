import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { addStage } from '../../lib/app';
import type { CfnJson } from '../../lib/compliance/controls';
import type { StageConfig } from '../../lib/config';
import { STAGE_PARTS, type StagePart, stackName, stageParts } from '../../lib/stage-layout';
import { projectContext } from './synth';

/** The resources of each stack of one stage, by logical id. */
export type StageResources = Readonly<Record<StagePart, Record<string, CfnJson>>>;

/**
 * Synthesizes one stage from `config` as given into `outdir`, without the schema's check (so
 * a test can build what the schema would refuse), bundling skipped, no nag packs and no
 * CloudFormation validation (the shared synthesis and the nag gate validate the real
 * stages): the templates are as the stacks wrote them, for the catalogue to judge.
 */
export function synthesizeStageInto(config: StageConfig, outdir: string): CloudAssembly {
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: {
      ...projectContext(),
      'aws:cdk:bundling-stacks': [],
    },
  });
  addStage(app, config);
  return app.synth();
}

/** The resources of each stack of one stage synthesized as {@link synthesizeStageInto} does. */
export function synthesizeStage(config: StageConfig): StageResources {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-stage-'));
  try {
    const assembly = synthesizeStageInto(config, outdir);
    // A part the stage does not have (the Replica stack without the replica) has no resources.
    const parts = stageParts(config);
    return Object.fromEntries(
      STAGE_PARTS.map((part) => [
        part,
        (parts.includes(part)
          ? (assembly.getStackByName(stackName(config.title, part)).template.Resources ?? {})
          : {}) as Record<string, CfnJson>,
      ]),
    ) as Record<StagePart, Record<string, CfnJson>>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
