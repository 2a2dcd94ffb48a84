import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { SHARED_ASSEMBLY_DIR } from './paths';

/** Stages shipped in `cdk.json`, by stack-name title. */
export const STAGES = ['Staging', 'Production'] as const;
export type StageTitle = (typeof STAGES)[number];
export type StackPart = 'Network' | 'Recovery' | 'Data' | 'Security' | 'App' | 'Edge';

const templates = new Map<string, Template>();

/** Raw JSON of a file of the shared assembly. */
export function readAssemblyJson<T = unknown>(file: string, dir = SHARED_ASSEMBLY_DIR): T {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
}

/** The synthesized template of `Bulwark-<stage>-<part>` (read once per test file). */
export function template(stage: StageTitle, part: StackPart): Template {
  const name = `Bulwark-${stage}-${part}`;
  let t = templates.get(name);
  if (!t) {
    t = Template.fromJSON(readAssemblyJson(`${name}.template.json`));
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

/** The cloud assembly manifest (stack properties such as termination protection). */
export function manifest(dir = SHARED_ASSEMBLY_DIR): any {
  return readAssemblyJson('manifest.json', dir);
}
