import type { Decision } from './respond';

/** An SNS message for on-call. */
export interface AlertMessage {
  /** ≤ 100 characters (SNS subject limit). */
  readonly subject: string;
  readonly body: string;
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/**
 * The alert for a decision that blocked new addresses, or `undefined` when nothing
 * new was blocked (extensions of existing blocks page nobody).
 */
export function blockAlert(stage: string, d: Decision): AlertMessage | undefined {
  const fresh = d.blocked.filter((b) => b.newlyBlocked);
  if (fresh.length === 0) return undefined;
  const f = d.finding;
  const subject = `Bulwark ${stage}: blocked ${fresh.length} address${fresh.length > 1 ? 'es' : ''} (${f.type})`;
  const lines = [
    `Threat response blocked ${fresh.length} address(es) in the web ACLs' blocklists.`,
    '',
    `Finding: ${f.type}, severity ${f.severity}${f.sample ? ' (SAMPLE finding)' : ''}`,
    `Title: ${f.title}`,
    `Finding id: ${f.id} (account ${f.accountId}, ${f.region})`,
    '',
    ...fresh.map((b) => `- ${b.cidr} until ${iso(b.expiresAt)} (offence ${b.offences})`),
  ];
  if (d.skipped.length) {
    lines.push('', 'Not blocked:', ...d.skipped.map((s) => `- ${s.address}: ${s.reason}`));
  }
  if (d.evicted.length || d.dropped.length) {
    lines.push(
      '',
      `Blocklist full: evicted ${d.evicted.length} soonest-expiring block(s), ${d.dropped.length} address(es) did not fit.`,
    );
  }
  return { subject: subject.slice(0, 100), body: lines.join('\n') };
}
