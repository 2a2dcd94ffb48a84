import type { Family } from './addresses';
import type { FindingSummary } from './finding';

/** Whether an address is in the blocklists now. */
export type BlockStatus = 'blocked' | 'expired' | 'evicted';

/** One row of the blocklist table: an address and the history of its block. */
export interface BlockRecord {
  /** The blocked CIDR (the table key): an IPv4 `/32`, or an IPv6 `/64`. */
  readonly address: string;
  readonly family: Family;
  readonly status: BlockStatus;
  /** Latest finding that named the address. */
  readonly findingId: string;
  readonly findingType: string;
  readonly severity: number;
  /** Distinct sightings (finding updates) counted towards the block length. */
  readonly offences: number;
  /** Most recent sighting keys (`<finding id>@<updatedAt>`), to ignore redeliveries. */
  readonly recentSightings: readonly string[];
  /** Epoch seconds. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** When the sweep removes the address from the sets (epoch seconds). */
  readonly expiresAt: number;
  /** Write counter for optimistic concurrency. */
  readonly version: number;
}

/** How long blocks last (from the stage config). */
export interface BlockPolicy {
  /** Days a first offence is blocked. */
  readonly blockDays: number;
  /** Upper bound of a repeat offender's block. */
  readonly maxBlockDays: number;
}

/** How many sighting keys a record remembers to recognise redelivered events. */
export const REMEMBERED_SIGHTINGS = 20;

const DAY = 86_400;

/** Block length for the n-th offence: doubled per repeat, capped at `maxBlockDays`. */
export function blockSeconds(policy: BlockPolicy, offences: number): number {
  const days = Math.min(policy.blockDays * 2 ** Math.min(offences - 1, 16), policy.maxBlockDays);
  return days * DAY;
}

/**
 * Applies one sighting of `address` in `finding` at `now` (epoch seconds). A new
 * address is blocked for `blockDays`. A later sighting (another finding, or a newer
 * update of the same finding) counts as a repeat offence and extends the block. An
 * event already seen (EventBridge and Lambda may deliver one twice) returns
 * `undefined`: nothing to write.
 */
export function applySighting(
  existing: BlockRecord | undefined,
  target: { cidr: string; family: Family },
  finding: FindingSummary,
  policy: BlockPolicy,
  now: number,
): BlockRecord | undefined {
  const sighting = `${finding.id}@${finding.updatedAt}`;
  if (existing?.recentSightings.includes(sighting)) return undefined;
  const stillBlocked = existing?.status === 'blocked' && existing.expiresAt > now;
  // An expired or evicted address starts again, but a repeat offender keeps its count.
  const offences = (existing?.offences ?? 0) + 1;
  return {
    address: target.cidr,
    family: target.family,
    status: 'blocked',
    findingId: finding.id,
    findingType: finding.type,
    severity: finding.severity,
    offences,
    recentSightings: [sighting, ...(existing?.recentSightings ?? [])].slice(
      0,
      REMEMBERED_SIGHTINGS,
    ),
    firstSeen: existing?.firstSeen ?? now,
    lastSeen: now,
    expiresAt: Math.max(
      stillBlocked ? existing.expiresAt : 0,
      now + blockSeconds(policy, offences),
    ),
    version: (existing?.version ?? 0) + 1,
  };
}
