import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Result, fail, ok } from './types';

/** One stack of the cloud assembly: the template to lint and the region it deploys to. */
export interface StackTemplate {
  readonly stack: string;
  readonly region: string;
  /** Absolute path of the stack's template file. */
  readonly templateFile: string;
}

/** What one `manifest.json` holds for the lint: its stacks, and nested assemblies (stages). */
export interface ManifestContents {
  readonly stacks: readonly StackTemplate[];
  /** Absolute paths of nested cloud assemblies to read as well. */
  readonly nested: readonly string[];
}

const SYNTH_FIRST = 'Run `npm run synth` first.';

interface ManifestArtifact {
  readonly type?: unknown;
  readonly environment?: unknown;
  readonly properties?: {
    readonly templateFile?: unknown;
    readonly stackName?: unknown;
    readonly directoryName?: unknown;
  };
}

/**
 * The region of an artifact environment `aws://<account>/<region>`; undefined for an
 * environment-agnostic stack (`unknown-region`) or anything else.
 */
export function regionOfEnvironment(environment: unknown): string | undefined {
  const m = typeof environment === 'string' && /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(environment);
  return m && m[1] !== 'unknown-region' ? m[1] : undefined;
}

/**
 * The stacks (`type: aws:cloudformation:stack`) of a parsed `manifest.json` read from
 * `dir`, each with its template file and its region from `environment`, and the nested
 * assemblies (`type: cdk:cloud-assembly`) it points to. Fails naming a stack without a
 * concrete region or template file.
 */
export function manifestContents(manifest: unknown, dir: string): Result<ManifestContents> {
  const artifacts = (manifest as { artifacts?: unknown } | null)?.artifacts;
  if (typeof artifacts !== 'object' || artifacts === null) {
    return fail(`${path.join(dir, 'manifest.json')} has no artifacts. ${SYNTH_FIRST}`);
  }
  const stacks: StackTemplate[] = [];
  const nested: string[] = [];
  for (const [id, artifact] of Object.entries(artifacts as Record<string, ManifestArtifact>)) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const sub = artifact.properties?.directoryName;
      if (typeof sub === 'string') nested.push(path.resolve(dir, sub));
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const region = regionOfEnvironment(artifact.environment);
    if (!region) {
      return fail(
        `Stack ${id} has no concrete region (environment ${String(artifact.environment)}); ` +
          'every stack must be synthesized for an aws://<account>/<region> environment.',
      );
    }
    const templateFile = artifact.properties?.templateFile;
    if (typeof templateFile !== 'string') return fail(`Stack ${id} names no template file.`);
    const stackName = artifact.properties?.stackName;
    stacks.push({
      stack: typeof stackName === 'string' ? stackName : id,
      region,
      templateFile: path.resolve(dir, templateFile),
    });
  }
  return ok({ stacks, nested });
}

/**
 * Every stack of the cloud assembly in `dir`, nested stage assemblies included. Fails
 * when the directory, its manifest or a template is missing (asking for a synth), or
 * when the assembly holds no stack.
 */
export function readAssembly(dir: string): Result<StackTemplate[]> {
  const stacks: StackTemplate[] = [];
  const pending = [path.resolve(dir)];
  for (let current = pending.shift(); current; current = pending.shift()) {
    const file = path.join(current, 'manifest.json');
    if (!fs.existsSync(file)) {
      return fail(`No cloud assembly at ${dir}: ${file} does not exist. ${SYNTH_FIRST}`);
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      return fail(`Cannot read ${file}: ${(err as Error).message}. ${SYNTH_FIRST}`);
    }
    const contents = manifestContents(manifest, current);
    if (!contents.ok) return contents;
    stacks.push(...contents.value.stacks);
    pending.push(...contents.value.nested);
  }
  if (stacks.length === 0) return fail(`The cloud assembly at ${dir} holds no stack.`);
  const missing = stacks.find((s) => !fs.existsSync(s.templateFile));
  if (missing) {
    return fail(
      `The template of stack ${missing.stack} (${missing.templateFile}) is missing. ${SYNTH_FIRST}`,
    );
  }
  return ok(stacks);
}

/** The stacks grouped by region (regions and stacks in name order): one cfn-lint run each. */
export function groupByRegion(
  stacks: readonly StackTemplate[],
): ReadonlyMap<string, readonly StackTemplate[]> {
  const groups = new Map<string, StackTemplate[]>();
  const sorted = [...stacks].sort(
    (a, b) => a.region.localeCompare(b.region) || a.stack.localeCompare(b.stack),
  );
  for (const s of sorted) groups.set(s.region, [...(groups.get(s.region) ?? []), s]);
  return groups;
}

/** Logical id → `Type` of every resource of a template file. */
export function readResourceTypes(templateFile: string): Result<ReadonlyMap<string, string>> {
  let template: { Resources?: Record<string, { Type?: unknown }> };
  try {
    template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  } catch (err) {
    return fail(`Cannot read template ${templateFile}: ${(err as Error).message}`);
  }
  const types = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (typeof resource?.Type === 'string') types.set(id, resource.Type);
  }
  return ok(types);
}
