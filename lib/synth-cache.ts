import * as path from 'node:path';

/** Repository root. */
const ROOT = path.join(__dirname, '..');

/**
 * Where synthesis keeps what a later synth may reuse: the Lambda bundles
 * (`bundles/`) and the templates CloudFormation validation passed (`validation/`).
 * `node_modules/.cache/bulwark-synth`, or `BULWARK_SYNTH_CACHE` (a directory, or `off`
 * to reuse nothing).
 */
export function synthCacheDir(
  part: 'bundles' | 'validation',
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const v = env.BULWARK_SYNTH_CACHE;
  if (v === 'off') return undefined;
  const root = v ? path.resolve(v) : path.join(ROOT, 'node_modules', '.cache', 'bulwark-synth');
  return path.join(root, part);
}
