import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addStage } from '../../lib/app';
import type { CfnJson } from '../../lib/compliance/controls';
import type { StageConfig } from '../../lib/config';
import { STAGE_PARTS, type StagePart, stackName } from '../../lib/stage-layout';
import { projectContext } from './synth';

/** The resources of each stack of one stage, by logical id. */
export type StageResources = Readonly<Record<StagePart, Record<string, CfnJson>>>;

/**
 * Synthesizes one stage from `config` as given, without the schema's check (so a test
 * can build what the schema would refuse), bundling skipped and no nag packs.
 * CloudFormation's default rules report as warnings instead of stopping the synthesis:
 * the templates are returned as the stacks wrote them, for the catalogue to judge.
 */
export function synthesizeStage(config: StageConfig): StageResources {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-stage-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...projectContext(),
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:validateAgainstDefaultRules': false,
      },
    });
    addStage(app, config);
    const assembly = app.synth();
    return Object.fromEntries(
      STAGE_PARTS.map((part) => [
        part,
        (assembly.getStackByName(stackName(config.title, part)).template.Resources ?? {}) as Record<
          string,
          CfnJson
        >,
      ]),
    ) as Record<StagePart, Record<string, CfnJson>>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
