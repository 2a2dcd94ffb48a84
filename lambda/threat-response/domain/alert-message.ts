import type { Decision } from './respond';

/** An SNS message for on-call. */
export interface AlertMessage {
  /** ≤ 100 characters (SNS subject limit). */
  readonly subject: string;
  readonly body: string;
}

/** Longest list of addresses an alert spells out (SNS messages hold at most 256 KB). */
export const LISTED_ADDRESSES = 100;

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The first {@link LISTED_ADDRESSES} lines, and how many more there are. */
function listed(lines: readonly string[]): string[] {
  const shown = lines.slice(0, LISTED_ADDRESSES);
  const more = lines.length - shown.length;
  return more > 0 ? [...shown, `- … and ${more} more`] : shown;
}

/**
 * The alert for a decision that blocked new addresses or left addresses of the
 * finding unblocked for lack of room or beyond the per-finding cap; `undefined`
 * otherwise (extensions of existing blocks page nobody).
 */
export function blockAlert(stage: string, d: Decision): AlertMessage | undefined {
  const fresh = d.blocked.filter((b) => b.newlyBlocked);
  const unblocked = d.beyondCap.length + d.dropped.length;
  if (fresh.length === 0 && unblocked === 0) return undefined;
  const f = d.finding;
  const what = [
    ...(fresh.length ? [`blocked ${plural(fresh.length, 'address', 'addresses')}`] : []),
    ...(unblocked ? [`${unblocked} not blocked`] : []),
  ].join(', ');
  const subject = `Bulwark ${stage}: ${what} (${f.type})`;
  const lines = [
    `Threat response blocked ${fresh.length} address(es) in the web ACLs' blocklists.`,
    '',
    `Finding: ${f.type}, severity ${f.severity}${f.sample ? ' (SAMPLE finding)' : ''}`,
    `Title: ${f.title}`,
    `Finding id: ${f.id} (account ${f.accountId}, ${f.region})`,
    '',
    ...listed(fresh.map((b) => `- ${b.cidr} until ${iso(b.expiresAt)} (offence ${b.offences})`)),
  ];
  if (d.skipped.length) {
    lines.push('', 'Not blocked:', ...listed(d.skipped.map((s) => `- ${s.address}: ${s.reason}`)));
  }
  if (d.beyondCap.length) {
    lines.push(
      '',
      `Per-finding cap reached: ${plural(d.beyondCap.length, 'address', 'addresses')} beyond it not blocked (threatResponse.maxAddressesPerFinding):`,
      ...listed(d.beyondCap.map((a) => `- ${a}`)),
    );
  }
  if (d.evicted.length || d.dropped.length) {
    lines.push(
      '',
      `Blocklist full: evicted ${d.evicted.length} block(s) ending before the new ones; ${d.dropped.length} address(es) left out of a set, as no block there ended sooner:`,
      ...listed(d.dropped.map((a) => `- ${a}`)),
    );
  }
  return { subject: subject.slice(0, 100), body: lines.join('\n') };
}
