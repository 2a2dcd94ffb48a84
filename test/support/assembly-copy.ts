import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SHARED_ASSEMBLY_DIR } from './paths';

/**
 * A copy of the shared assembly's manifest, templates and metadata (its JSON files) in a
 * new temporary directory named after `prefix`, for a test to edit.
 */
export function copyOfSharedAssembly(prefix = 'bulwark-assembly-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of fs.readdirSync(SHARED_ASSEMBLY_DIR).filter((x) => x.endsWith('.json')))
    fs.copyFileSync(path.join(SHARED_ASSEMBLY_DIR, f), path.join(dir, f));
  return dir;
}

/** Rewrites the template of `stack` (`Bulwark-Staging-Data`) in the assembly at `dir`. */
export function editTemplate(dir: string, stack: string, change: (template: any) => void): void {
  const file = path.join(dir, `${stack}.template.json`);
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  change(template);
  fs.writeFileSync(file, JSON.stringify(template));
}
