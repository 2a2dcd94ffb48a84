import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { type StagePart, stackName } from '../../lib/stage-layout';
import { SHARED_ASSEMBLY_DIR } from './paths';

/** Stages shipped in `cdk.json`, by stack-name title. */
export const STAGES = ['Staging', 'Production'] as const;
export type StageTitle = (typeof STAGES)[number];

const assemblies = new Map<string, CloudAssembly>();
const templates = new Map<string, Template>();

/** A synthesized cloud assembly, by default the shared one (read once per test file). */
export function assembly(dir = SHARED_ASSEMBLY_DIR): CloudAssembly {
  let a = assemblies.get(dir);
  if (!a) {
    // Manifest order: stages as configured, parts as the app creates them.
    a = new CloudAssembly(dir, { topoSort: false });
    assemblies.set(dir, a);
  }
  return a;
}

/** The stack artifact of `Bulwark-<stage>-<part>` (environment, termination protection, ...). */
export function stackArtifact(stage: StageTitle, part: StagePart): CloudFormationStackArtifact {
  return assembly().getStackArtifact(stackName(stage, part));
}

/** The synthesized template of `Bulwark-<stage>-<part>` (read once per test file). */
export function template(stage: StageTitle, part: StagePart): Template {
  const name = stackName(stage, part);
  let t = templates.get(name);
  if (!t) {
    t = Template.fromJSON(stackArtifact(stage, part).template);
    templates.set(name, t);
  }
  return t;
}

/** A resource as it stands in a synthesized template. */
export interface CfnResourceJson {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** Resources of one CloudFormation type in a template, by logical id. */
export function resourcesOf(t: Template, type: string): Record<string, CfnResourceJson> {
  return t.findResources(type) as Record<string, CfnResourceJson>;
}

/** The only resource of `type` whose logical id starts with `prefix`. */
export function onlyResource(t: Template, type: string, prefix = '') {
  const found = Object.entries(resourcesOf(t, type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} starting with '${prefix}', found ${found.length}`);
  }
  return { logicalId: found[0][0], ...found[0][1] };
}
