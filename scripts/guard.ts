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
import { cannotRun, defineCommand, runMain, usageError } from './lib/cli';

/** `npm run guard`. */
export const command = defineCommand({
  name: 'guard',
  usage: '--baseline <dir> [--current cdk.out] [--allow <file>]',
  summary:
    'Refuses a change that would replace or delete a stateful resource of the baseline assembly.',
  description: `Stateful: database, bucket, key, table, secret, log group. It also refuses removing a
stack holding one, or dropping a stack's termination protection, naming stack, resource
and cause. Reviewed exceptions go in an allow-file (JSON array of
{ "stack", "logicalId", "reason" }).`,
  options: {
    baseline: {
      type: 'string',
      value: 'dir',
      required: true,
      description: "the baseline cloud assembly (the target branch's synthesis)",
    },
    current: { type: 'string', value: 'dir', default: 'cdk.out', description: 'the new assembly' },
    allow: { type: 'string', value: 'file', description: 'reviewed exceptions' },
  },
  exitCodes: '0 nothing stateful lost, 1 a change would lose data, 2 cannot run.',
  run: ({ values }) => guard(values.baseline, values.current, values.allow),
});

function guard(baseline: string, current: string, allowFile: string | undefined) {
  for (const [name, dir] of [
    ['--baseline', baseline],
    ['--current', current],
  ] as const) {
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      return usageError(
        `${name} must name a synthesized cloud assembly (a directory with manifest.json)`,
      );
    }
  }
  let allowed;
  try {
    allowed = allowFile ? readAllowFile(allowFile) : [];
  } catch (err) {
    return cannotRun(`guard: ${(err as Error).message}`);
  }
  const violations = checkStatefulChanges(baseline, current, allowed);
  for (const v of violations)
    console.error(`REFUSED ${v.stack}/${v.logicalId} (${v.type}) ${v.cause}`);
  console.log(
    violations.length === 0
      ? `guard: no stateful resource would be replaced or deleted (${allowed.length} allowed exception(s))`
      : `guard: ${violations.length} change(s) would lose data; add a reviewed entry to an allow-file only if that is intended`,
  );
  return violations.length === 0 ? 0 : 1;
}

runMain(command, module);
