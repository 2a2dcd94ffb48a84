import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StageConfig } from '../../../lib/config';
import { stackName, stageParts } from '../../../lib/stage-layout';
import type { StagePart } from '../../../lib/stage-layout';

/** One stack of the stage as the cloud assembly holds it. */
export interface AssemblyStack {
  readonly part: StagePart;
  /** `Bulwark-<Stage>-<Part>`. */
  readonly name: string;
  readonly region: string;
  /** Bootstrap stack version the deployment needs (`requiresBootstrapStackVersion`). */
  readonly bootstrapVersion: number;
  /** SSM parameter holding the bootstrapped version. */
  readonly bootstrapParameter: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly template: { Resources: Record<string, any> };
}

/** A physical name the template fixes, which must be free before its stack is created. */
export interface FixedName {
  readonly stack: string;
  readonly region: string;
  readonly logicalId: string;
  readonly kind: 'bucket' | 'log group' | 'database instance';
  readonly name: string;
}

/** The assembly is missing or does not hold the stage: preflight cannot run. */
export class AssemblyError extends Error {}

/** The stage's stacks in the cloud assembly at `dir` (written by `npm run synth`). */
export function readStageAssembly(dir: string, cfg: StageConfig): AssemblyStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new AssemblyError(
      `No cloud assembly at ${dir} (${manifestFile} does not exist). Synthesize first: npm run synth -- -c stage=${cfg.name}`,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    artifacts: Record<string, any>;
  };
  const stacks: AssemblyStack[] = [];
  const missing: string[] = [];
  for (const part of stageParts(cfg)) {
    const name = stackName(cfg.title, part);
    const artifact = manifest.artifacts?.[name];
    if (!artifact || artifact.type !== 'aws:cloudformation:stack') {
      missing.push(name);
      continue;
    }
    const [, account, region] = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(artifact.environment) ?? [];
    if (account !== cfg.account) {
      throw new AssemblyError(
        `${name} in ${dir} is for account ${account}, but cdk.json says ${cfg.account}: synthesize again (npm run synth -- -c stage=${cfg.name})`,
      );
    }
    stacks.push({
      part,
      name,
      region,
      bootstrapVersion: Number(artifact.properties?.requiresBootstrapStackVersion ?? 6),
      bootstrapParameter: String(
        artifact.properties?.bootstrapStackVersionSsmParameter ??
          '/cdk-bootstrap/hnb659fds/version',
      ),
      template: JSON.parse(
        fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'),
      ),
    });
  }
  if (missing.length > 0) {
    throw new AssemblyError(
      `The cloud assembly at ${dir} lacks ${missing.join(', ')}. Synthesize the stage first: npm run synth -- -c stage=${cfg.name}`,
    );
  }
  return stacks;
}

/** The distinct regions of the stacks, in stack order. */
export const regionsOf = (stacks: readonly AssemblyStack[]) => [
  ...new Set(stacks.map((s) => s.region)),
];

/** Resources of `type` in `stack`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resourcesOf(stack: AssemblyStack, type: string): Array<[string, any]> {
  return Object.entries(stack.template.Resources).filter(([, r]) => r.Type === type);
}

/**
 * Names the templates fix for buckets, log groups and database instances (string
 * literals only: a name made unique per stack creation cannot clash).
 */
export function fixedNames(stacks: readonly AssemblyStack[]): FixedName[] {
  const keys = [
    ['AWS::S3::Bucket', 'BucketName', 'bucket'],
    ['AWS::Logs::LogGroup', 'LogGroupName', 'log group'],
    ['AWS::RDS::DBInstance', 'DBInstanceIdentifier', 'database instance'],
  ] as const;
  return stacks.flatMap((stack) =>
    keys.flatMap(([type, key, kind]) =>
      resourcesOf(stack, type)
        .filter(([, r]) => typeof r.Properties?.[key] === 'string')
        .map(([logicalId, r]) => ({
          stack: stack.name,
          region: stack.region,
          logicalId,
          kind,
          name: r.Properties[key] as string,
        })),
    ),
  );
}
