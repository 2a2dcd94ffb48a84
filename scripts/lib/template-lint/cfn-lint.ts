import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { parseCfnLintJson } from './findings';
import { type CfnLintFinding, type Result, fail, ok } from './types';

/** The cfn-lint command, found on PATH. */
export const CFN_LINT = 'cfn-lint';

/** How to get cfn-lint when it is missing; it is never installed by the lint itself. */
export const INSTALL_HINT =
  'cfn-lint is a Python tool: install it with `pip install cfn-lint` so that `cfn-lint` is on PATH, then run again.';

/** cfn-lint exit-code bits that only report findings (2 error, 4 warning, 8 informational). */
const FINDING_BITS = 2 | 4 | 8;

/**
 * The arguments of one cfn-lint run over `files` for `region`. Settings are pinned on the
 * command line: no `.cfnlintrc` (home or project) is read, and errors and warnings are
 * mandatory, so `Metadata` ignores in a template cannot hide them: the reviewed allow-list
 * is the only way to accept a finding. Informational findings are not requested.
 */
export function cfnLintArgs(region: string, files: readonly string[]): string[] {
  return [
    '--format',
    'json',
    '--regions',
    region,
    '--config-file',
    os.devNull,
    '--mandatory-checks',
    'E',
    'W',
    '--non-zero-exit-code',
    'informational',
    '--',
    ...files,
  ];
}

/**
 * Why a cfn-lint exit status means it could not lint, or undefined when the status is a
 * bit mask of findings only (0 clean, 2 error, 4 warning, 8 informational). Exit 1 is a
 * usage or configuration failure; other bits (such as 32, an unsupported region) and
 * signals are failures too.
 */
export function cfnLintExitProblem(
  code: number | null,
  signal: NodeJS.Signals | null = null,
): string | undefined {
  if (code === null) return `cfn-lint was stopped by ${signal ?? 'a signal'}`;
  if (code === 1) return 'cfn-lint exited 1 (a usage or configuration failure)';
  if ((code & ~FINDING_BITS) !== 0) return `cfn-lint exited ${code}, which is not a findings code`;
  return undefined;
}

interface Exec {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, collecting its output; fails when it cannot start. */
function exec(command: string, args: readonly string[]): Promise<Result<Exec>> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve(
        fail(
          err.code === 'ENOENT'
            ? `cfn-lint is not installed (no \`${command}\` on PATH). ${INSTALL_HINT}`
            : `Cannot start ${command}: ${err.message}`,
        ),
      ),
    );
    child.on('close', (code, signal) => resolve(ok({ code, signal, stdout, stderr })));
  });
}

/** The last lines of a tool's error output, to quote in a problem. */
function tail(text: string, lines = 5): string {
  const last = text.trim().split('\n').slice(-lines).join('\n');
  return last ? `:\n${last}` : '';
}

/** The version cfn-lint reports (e.g. `1.51.0`); fails when cfn-lint is missing or broken. */
export async function cfnLintVersion(command: string = CFN_LINT): Promise<Result<string>> {
  const run = await exec(command, ['--version']);
  if (!run.ok) return run;
  const version = /(\d+\.\d+\.\d+\S*)/.exec(run.value.stdout)?.[1];
  if (run.value.code !== 0 || !version) {
    return fail(`\`${command} --version\` did not report a version${tail(run.value.stderr)}`);
  }
  return ok(version);
}

/**
 * Lints `files` for `region` with one cfn-lint process. Fails (the lint cannot run) when
 * cfn-lint is missing, exits with a non-findings status, or prints no JSON findings.
 */
export async function runCfnLint(
  region: string,
  files: readonly string[],
  command: string = CFN_LINT,
): Promise<Result<CfnLintFinding[]>> {
  const run = await exec(command, cfnLintArgs(region, files));
  if (!run.ok) return run;
  const problem = cfnLintExitProblem(run.value.code, run.value.signal);
  if (problem) return fail(`${problem} linting for ${region}${tail(run.value.stderr)}`);
  const findings = parseCfnLintJson(run.value.stdout);
  return findings.ok
    ? findings
    : fail(`cfn-lint output for ${region} is unusable: ${findings.problem}`);
}
