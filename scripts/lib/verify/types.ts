/** What one check found: the control holds, it does not, or it does not apply to the stage. */
export type Outcome = 'PASS' | 'FAIL' | 'SKIP';

/** One line of the verification report. */
export interface CheckResult {
  /** Control id from the catalogue (`lib/compliance/controls.ts`), e.g. `THR-DETECT`. */
  readonly control: string;
  /** What was checked, e.g. `GuardDuty detector is enabled`. */
  readonly check: string;
  readonly result: Outcome;
  /** What was observed, and what was expected when they differ. */
  readonly evidence: string;
  /** For a FAIL that a person can fix: the exact command or console step. */
  readonly fix?: string;
}

/** The stage cannot be verified at all (not deployed, wrong account): exit code 2. */
export class CannotVerify extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotVerify';
  }
}

/** A passing result. */
export const pass = (control: string, check: string, evidence: string): CheckResult => ({
  control,
  check,
  result: 'PASS',
  evidence,
});

/** A failing result. */
export const fail = (control: string, check: string, evidence: string): CheckResult => ({
  control,
  check,
  result: 'FAIL',
  evidence,
});

/** A check that does not apply to this stage, with the reason. */
export const skip = (control: string, check: string, evidence: string): CheckResult => ({
  control,
  check,
  result: 'SKIP',
  evidence,
});

/** A failing result with the command or console step that fixes it. */
export const failWithFix = (
  control: string,
  check: string,
  evidence: string,
  fix: string,
): CheckResult => ({ control, check, result: 'FAIL', evidence, fix });

/** PASS when `holds`, FAIL otherwise, with the same evidence. */
export const judge = (
  control: string,
  check: string,
  holds: boolean,
  evidence: string,
): CheckResult => (holds ? pass : fail)(control, check, evidence);

/**
 * An AWS error as evidence: its name (`AccessDeniedException`, `TrailNotFoundException`)
 * and the first line of its message, cut short. Credentials never appear in SDK errors.
 */
export function errorEvidence(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const message = (err.message.split('\n')[0] ?? '').trim();
  const short = message.length > 200 ? `${message.slice(0, 197)}...` : message;
  return short && short !== err.name ? `${err.name}: ${short}` : err.name;
}

/** A check of an area, before it is judged: its control id and name. */
export type CheckId = readonly [control: string, check: string];

/**
 * Reads the account with `observe`, then judges what it saw. When the reading fails
 * (AccessDenied, a missing resource), every check in `checks` fails with the error
 * instead, so one refused call never stops the other areas.
 */
export async function observed<T>(
  checks: readonly CheckId[],
  observe: () => Promise<T>,
  judgeObserved: (seen: T) => CheckResult[],
): Promise<CheckResult[]> {
  let seen: T;
  try {
    seen = await observe();
  } catch (err) {
    return checks.map(([control, check]) => fail(control, check, errorEvidence(err)));
  }
  return judgeObserved(seen);
}

/** The last segment of an ARN's resource (a short, readable name in evidence). */
export function arnName(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.split('/').filter(Boolean).at(-1) ?? arn;
}
