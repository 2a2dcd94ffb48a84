import type { CheckResult } from './types';

/** Exit code when every check passed or was skipped. */
export const EXIT_VERIFIED = 0;
/** Exit code when any check failed. */
export const EXIT_DRIFT = 1;

/** 0 when every result is PASS or SKIP, 1 on any FAIL. */
export function exitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.result === 'FAIL') ? EXIT_DRIFT : EXIT_VERIFIED;
}

/** The results as a plain-text table: control, check, result, evidence. */
export function formatTable(results: readonly CheckResult[]): string {
  const header = { control: 'CONTROL', check: 'CHECK', result: 'RESULT', evidence: 'EVIDENCE' };
  const rows = [header, ...results];
  const width = (key: 'control' | 'check' | 'result') =>
    Math.max(...rows.map((r) => r[key].length));
  const [wc, wk, wr] = [width('control'), width('check'), width('result')];
  const indent = ' '.repeat(wc + wk + wr + 6);
  return rows
    .map((r) => {
      const line = [r.control.padEnd(wc), r.check.padEnd(wk), r.result.padEnd(wr), r.evidence];
      const fix = 'fix' in r && r.fix && r.result === 'FAIL' ? `\n${indent}fix: ${r.fix}` : '';
      return `${line.join('  ')}${fix}`;
    })
    .join('\n');
}

/** One line counting the results, e.g. `24 checks: 23 PASS, 0 FAIL, 1 SKIP`. */
export function summary(results: readonly CheckResult[]): string {
  const count = (outcome: CheckResult['result']) =>
    results.filter((r) => r.result === outcome).length;
  return `${results.length} checks: ${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('SKIP')} SKIP`;
}
