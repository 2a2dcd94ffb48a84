import {
  type AddressPolicy,
  type BlockTarget,
  type Family,
  type SkippedAddress,
  isTarget,
} from './addresses';
import { type BlockPolicy, type BlockRecord, applySighting } from './block-record';
import { type FindingSummary, parseFinding } from './finding';
import { updateIpSet } from './ip-set-update';
import type { BlockTable, Clock, IpSetSnapshot, IpSets } from './ports';
import { overflow } from './set-plan';

/** Everything {@link respondToFinding} needs. */
export interface Responder {
  readonly addresses: AddressPolicy;
  readonly policy: BlockPolicy;
  /** Most addresses Bulwark keeps in one IP set. */
  readonly capacity: number;
  readonly sets: IpSets;
  readonly table: BlockTable;
  readonly clock: Clock;
}

/** One address blocked (or kept blocked) by a finding. */
export interface BlockedAddress {
  readonly cidr: string;
  readonly family: Family;
  /** Not blocked before this finding. */
  readonly newlyBlocked: boolean;
  /** Repeat offences so far, including this one. */
  readonly offences: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** What threat response did with one finding. */
export interface Decision {
  readonly finding: FindingSummary;
  /**
   * `blocked`: at least one address is in the sets; `ignored`: no address to block;
   * `sample`: a finding from `CreateSampleFindings`, which names made-up activity.
   */
  readonly outcome: 'blocked' | 'ignored' | 'sample';
  readonly blocked: BlockedAddress[];
  readonly skipped: SkippedAddress[];
  /** Addresses removed to make room (oldest-expiring first). */
  readonly evicted: string[];
  /** Addresses that did not fit in a set even after eviction. */
  readonly dropped: string[];
  /** IP sets updated, by ARN. */
  readonly setsUpdated: string[];
}

/** Lost races on one record before giving up (the invocation is then retried). */
const RECORD_ATTEMPTS = 5;

/**
 * Blocks every remote address of a GuardDuty finding in the IPv4/IPv6 blocklists of
 * both web ACLs: records each block (a repeat offender's is extended), makes room by
 * evicting the soonest-expiring blocks when a set is full, then updates each set
 * once. Idempotent: a redelivered event changes no record and finds the addresses
 * already in the sets. Throws on failure so that Lambda's retries engage; records
 * are written first, so a retry completes the set updates.
 */
export async function respondToFinding(r: Responder, event: unknown): Promise<Decision> {
  const { finding, remoteAddresses } = parseFinding(event);
  const classified = remoteAddresses.map((a) => r.addresses.classify(a));
  const targets = classified.filter(isTarget);
  const skipped = classified.filter((c): c is SkippedAddress => !isTarget(c));
  const decision = {
    finding,
    blocked: [] as BlockedAddress[],
    skipped,
    evicted: [] as string[],
    dropped: [] as string[],
    setsUpdated: [] as string[],
  };
  // Sample findings test the pipeline; their addresses did nothing to this account.
  if (finding.sample) return { ...decision, outcome: 'sample' };
  if (targets.length === 0) return { ...decision, outcome: 'ignored' };

  for (const t of targets) decision.blocked.push(await recordSighting(r, t, finding));

  const sets = await r.sets.list();
  for (const family of ['v4', 'v6'] as const) {
    const add = targets.filter((t) => t.family === family).map((t) => t.cidr);
    if (add.length === 0) continue;
    const refs = sets.filter((s) => s.family === family);
    const snapshots = await Promise.all(refs.map((ref) => r.sets.read(ref)));
    const evict = await evictionsFor(r, family, snapshots, add);
    for (const [i, ref] of refs.entries()) {
      const plan = await updateIpSet(
        r.sets,
        r.clock,
        ref,
        { add, remove: evict },
        r.capacity,
        snapshots[i],
      );
      if (plan.changed) decision.setsUpdated.push(ref.arn);
      decision.dropped.push(...plan.dropped.filter((d) => !decision.dropped.includes(d)));
    }
    for (const address of evict) await r.table.release(address, 'evicted');
    decision.evicted.push(...evict);
  }
  return { ...decision, outcome: 'blocked' };
}

async function recordSighting(
  r: Responder,
  target: BlockTarget,
  finding: FindingSummary,
): Promise<BlockedAddress> {
  for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
    const existing = await r.table.get(target.cidr);
    const change = applySighting(existing, target, finding, r.policy, r.clock.now());
    const record: BlockRecord | undefined = change.next ?? existing;
    if (change.next && !(await r.table.put(change.next, existing?.version))) continue;
    return {
      cidr: target.cidr,
      family: target.family,
      newlyBlocked: change.newlyBlocked,
      offences: record?.offences ?? 1,
      expiresAt: record?.expiresAt ?? 0,
    };
  }
  throw new Error(`Block record of ${target.cidr} kept changing; retrying the event`);
}

/** The soonest-expiring blocks to remove so that `add` fits in the fullest set. */
async function evictionsFor(
  r: Responder,
  family: Family,
  snapshots: readonly IpSetSnapshot[],
  add: readonly string[],
): Promise<string[]> {
  const needed = Math.max(0, ...snapshots.map((s) => overflow(s.addresses, add, r.capacity)));
  if (needed === 0) return [];
  const adding = new Set(add);
  const candidates = await r.table.oldestBlocked(family, needed + add.length);
  return candidates
    .map((c) => c.address)
    .filter((a) => !adding.has(a))
    .slice(0, needed);
}
