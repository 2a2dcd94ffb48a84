import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the sandbox's templates are kept for the offline check. */
export const SNAPSHOT_DIR = path.join(__dirname, 'integ.sandbox.snapshot');

/**
 * Every stack template of an assembly, with what changes on every build normalized:
 * asset hashes (content-addressed names of the bundled code) become `<asset>`, and the
 * `salt` integ-tests-alpha gives each assertion (the synthesis time, so that every
 * deploy runs it again) becomes `<salt>`.
 */
export function normalizedTemplates(assemblyDir: string): Record<string, unknown> {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
  const out: Record<string, unknown> = {};
  for (const [name, a] of Object.entries<any>(manifest.artifacts)) {
    if (a.type !== 'aws:cloudformation:stack') continue;
    const text = fs.readFileSync(path.join(assemblyDir, a.properties.templateFile), 'utf8');
    out[name] = JSON.parse(
      text
        .replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '<asset>$1')
        .replace(/"salt": "\d+"/g, '"salt": "<salt>"'),
    );
  }
  return out;
}

/** Writes the snapshot (one JSON file per stack). */
export function writeSnapshot(templates: Record<string, unknown>, dir = SNAPSHOT_DIR): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, template] of Object.entries(templates)) {
    fs.writeFileSync(
      path.join(dir, `${name}.template.json`),
      `${JSON.stringify(template, null, 1)}\n`,
    );
  }
}

/** Each difference between templates and the snapshot: stack and resource, or missing stack. */
export function diffSnapshot(templates: Record<string, any>, dir = SNAPSHOT_DIR): string[] {
  const problems: string[] = [];
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'))
    : [];
  const kept = new Set(files.map((f) => f.replace(/\.template\.json$/, '')));
  for (const name of Object.keys(templates)) {
    if (!kept.has(name))
      problems.push(`${name}: not in the snapshot (npm run integ -- --update-snapshot)`);
  }
  for (const name of kept) {
    const before = JSON.parse(fs.readFileSync(path.join(dir, `${name}.template.json`), 'utf8'));
    const after = templates[name];
    if (!after) {
      problems.push(`${name}: in the snapshot, no longer synthesized`);
      continue;
    }
    const ids = new Set([
      ...Object.keys(before.Resources ?? {}),
      ...Object.keys(after.Resources ?? {}),
    ]);
    for (const id of ids) {
      const [b, a] = [before.Resources?.[id], after.Resources?.[id]];
      if (JSON.stringify(b) !== JSON.stringify(a)) {
        problems.push(`${name}/${id}: ${!b ? 'added' : !a ? 'removed' : 'changed'}`);
      }
    }
    for (const section of ['Outputs', 'Parameters', 'Rules', 'Conditions', 'Mappings']) {
      if (JSON.stringify(before[section]) !== JSON.stringify(after[section])) {
        problems.push(`${name}: ${section} changed`);
      }
    }
  }
  return problems.sort();
}
