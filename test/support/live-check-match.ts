/**
 * Matches the checks the live tools report against the catalogue's `verifiedBy`, both
 * ways: each reported check belongs to exactly one entry of its own control and tool,
 * and each entry is reported at least once.
 */
import type { LiveCheck } from '../../lib/compliance/controls';
import type { EmittedCheck } from './live-tool-runs';

/** The parts of a control the matcher reads. */
export interface VerifiedControl {
  readonly id: string;
  readonly verifiedBy?: readonly LiveCheck[];
  readonly liveGap?: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The check name of an entry as a pattern: each `<placeholder>` stands for any non-empty text. */
export function checkPattern(check: string): RegExp {
  const parts = check.split(/<[^<>\s]+>/);
  return new RegExp(`^${parts.map(escape).join('.+')}$`);
}

/** Whether `entry` names the reported check (same tool, name matching its pattern). */
export const entryMatches = (entry: LiveCheck, emitted: EmittedCheck): boolean =>
  entry.tool === emitted.tool && checkPattern(entry.check).test(emitted.check);

const show = (e: EmittedCheck) => `${e.tool}: ${e.control} '${e.check}'`;

/**
 * Every way `controls` and the `emitted` checks disagree; empty when they agree: a check
 * whose control is not in the catalogue, or that matches no entry (or more than one) of
 * its control and tool; an entry no check matches; a control with both or neither of
 * `verifiedBy` and `liveGap`.
 */
export function liveCheckProblems(
  controls: readonly VerifiedControl[],
  emitted: readonly EmittedCheck[],
): string[] {
  const byId = new Map(controls.map((c) => [c.id, c]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of emitted) {
    const key = show(e);
    if (seen.has(key)) continue;
    seen.add(key);
    const c = byId.get(e.control);
    if (!c) {
      problems.push(`${key}: control ${e.control} is not in the catalogue`);
      continue;
    }
    const matching = (c.verifiedBy ?? []).filter((v) => entryMatches(v, e));
    if (matching.length === 0) {
      const elsewhere = controls
        .filter((o) => o !== c && (o.verifiedBy ?? []).some((v) => entryMatches(v, e)))
        .map((o) => o.id);
      problems.push(
        `${key}: matches no verifiedBy entry of ${e.control}` +
          (elsewhere.length ? ` (but one of ${elsewhere.join(', ')})` : ''),
      );
    } else if (matching.length > 1) {
      problems.push(
        `${key}: matches ${matching.length} verifiedBy entries of ${e.control}: ${matching.map((m) => `'${m.check}'`).join(', ')}`,
      );
    }
  }
  for (const c of controls) {
    for (const v of c.verifiedBy ?? []) {
      if (!emitted.some((e) => e.control === c.id && entryMatches(v, e))) {
        problems.push(`${c.id}: verifiedBy ${v.tool} '${v.check}' is reported by no run`);
      }
    }
    const verified = (c.verifiedBy ?? []).length > 0;
    const gap = (c.liveGap ?? '').trim().length > 0;
    if (verified && gap) problems.push(`${c.id}: has both verifiedBy and a liveGap`);
    if (!verified && !gap) problems.push(`${c.id}: has neither verifiedBy nor a liveGap`);
  }
  return problems;
}
