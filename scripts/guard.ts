/**
 * `npm run guard -- --baseline <dir> [--current cdk.out] [--allow <file>]`
 *
 * Fails (exit 1), naming stack, resource and cause, when the current synthesized
 * assembly would replace or delete a stateful resource of the baseline assembly
 * (database, bucket, key, table, secret, log group), remove a stack holding one, or
 * drop a stack's termination protection. CI runs it against the target branch's
 * synthesis. Reviewed exceptions go in an allow-file (JSON array of
 * `{ "stack", "logicalId", "reason" }`). Exit code 2 when it cannot run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkStatefulChanges, readAllowFile } from '../lib/compliance/stateful-guard';
import { option } from './lib/args';

const baseline = option('--baseline');
const current = option('--current') ?? 'cdk.out';
const allowFile = option('--allow');
for (const [name, dir] of [
  ['--baseline', baseline],
  ['--current', current],
] as const) {
  if (!dir || !fs.existsSync(path.join(dir, 'manifest.json'))) {
    console.error(
      `guard: ${name} must name a synthesized cloud assembly (a directory with manifest.json)`,
    );
    console.error('usage: npm run guard -- --baseline <dir> [--current cdk.out] [--allow <file>]');
    process.exit(2);
  }
}
let allowed;
try {
  allowed = allowFile ? readAllowFile(allowFile) : [];
} catch (err) {
  console.error(`guard: ${(err as Error).message}`);
  process.exit(2);
}
const violations = checkStatefulChanges(baseline!, current, allowed);
for (const v of violations)
  console.error(`REFUSED ${v.stack}/${v.logicalId} (${v.type}) ${v.cause}`);
console.log(
  violations.length === 0
    ? `guard: no stateful resource would be replaced or deleted (${allowed.length} allowed exception(s))`
    : `guard: ${violations.length} change(s) would lose data; add a reviewed entry to an allow-file only if that is intended`,
);
process.exit(violations.length === 0 ? 0 : 1);
