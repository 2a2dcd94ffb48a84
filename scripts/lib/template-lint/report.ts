import { type AllowEntry, type Judgement, describeEntry } from './allow-list';
import type { Finding } from './types';

/** Exit code when no error-level finding remains after the allow-list. */
export const EXIT_CLEAN = 0;
/** Exit code when an error-level finding remains, or an allow-list entry is stale. */
export const EXIT_FINDINGS = 1;
/** Exit code when the lint cannot run (usage, no assembly, no cfn-lint, bad allow-list). */
export const EXIT_CANNOT_RUN = 2;

/** 1 when any error remains or any entry is stale, otherwise 0. */
export function exitCode(judgement: Judgement): number {
  return judgement.errors.length > 0 || judgement.stale.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/** How many findings each rule produced, rules in order, e.g. `[['W3005', 26]]`. */
export function countByRule(findings: readonly Finding[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The findings in report order: stack, resource, path, rule. */
function sorted(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.stack.localeCompare(b.stack) ||
      (a.logicalId ?? '').localeCompare(b.logicalId ?? '') ||
      a.path.localeCompare(b.path) ||
      a.rule.localeCompare(b.rule),
  );
}

/** Findings as a table: stack, resource logical id, property path, rule id, message. */
export function findingTable(findings: readonly Finding[]): string {
  const header = ['STACK', 'RESOURCE', 'PATH', 'RULE', 'MESSAGE'];
  const rows = [
    header,
    ...sorted(findings).map((f) => [f.stack, f.logicalId ?? '-', f.path, f.rule, f.message]),
  ];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  '))
    .join('\n');
}

/** Each entry with the findings it accepts, as indented lines. */
function allowedLines(judgement: Judgement): string[] {
  const byEntry = new Map<AllowEntry, Finding[]>();
  for (const { finding, entry } of judgement.allowed) {
    byEntry.set(entry, [...(byEntry.get(entry) ?? []), finding]);
  }
  return [...byEntry.entries()].map(
    ([entry, findings]) =>
      `  ${describeEntry(entry)}: ${sorted(findings)
        .map((f) => `${f.stack}/${f.logicalId ?? '-'}`)
        .join(', ')}`,
  );
}

/** The plain-text report: failing errors, stale entries, allowed schema lag, warning counts. */
export function formatText(judgement: Judgement, allowListName: string): string {
  const parts: string[] = [];
  if (judgement.errors.length > 0) {
    parts.push(
      `${judgement.errors.length} error(s) fail the lint:\n${findingTable(judgement.errors)}`,
    );
  }
  if (judgement.stale.length > 0) {
    parts.push(
      `${judgement.stale.length} allow-list entr${judgement.stale.length === 1 ? 'y matches' : 'ies match'} ` +
        `no finding any more; delete ${judgement.stale.length === 1 ? 'it' : 'them'} from ${allowListName}:\n` +
        judgement.stale.map((e) => `  ${describeEntry(e)}`).join('\n'),
    );
  }
  if (judgement.allowed.length > 0) {
    parts.push(
      `${judgement.allowed.length} error(s) allowed as resource-schema lag (${allowListName}):\n` +
        allowedLines(judgement).join('\n'),
    );
  }
  const warnings = countByRule(judgement.warnings);
  parts.push(
    warnings.length > 0
      ? `Warnings (they do not fail the lint; --json lists them): ${warnings
          .map(([rule, n]) => `${rule} ×${n}`)
          .join(', ')}`
      : 'No warnings.',
  );
  return parts.join('\n\n');
}

/** The report as JSON: every finding (warnings included) and the stale entries. */
export function formatJson(judgement: Judgement, cfnLintVersion: string): string {
  return JSON.stringify(
    {
      cfnLintVersion,
      errors: sorted(judgement.errors),
      staleEntries: judgement.stale,
      allowed: judgement.allowed,
      warnings: sorted(judgement.warnings),
    },
    null,
    2,
  );
}

/** One line summing up the lint. */
export function summary(
  judgement: Judgement,
  run: { readonly templates: number; readonly regions: number; readonly cfnLintVersion: string },
): string {
  const verdict = exitCode(judgement) === EXIT_CLEAN ? 'passed' : 'FAILED';
  return (
    `lint:templates ${verdict}: ${run.templates} template(s) in ${run.regions} region(s), ` +
    `cfn-lint ${run.cfnLintVersion}: ${judgement.errors.length} error(s), ` +
    `${judgement.stale.length} stale allow-list entr${judgement.stale.length === 1 ? 'y' : 'ies'}, ` +
    `${judgement.allowed.length} allowed as schema lag, ${judgement.warnings.length} warning(s)`
  );
}
