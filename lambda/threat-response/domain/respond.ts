import {
  type AddressPolicy,
  type BlockTarget,
  type Family,
  type SkippedAddress,
  canonicalCidr,
  isTarget,
} from './addresses';
import { type BlockPolicy, type BlockRecord, applySighting } from './block-record';
import { type FindingSummary, parseFinding } from './finding';
import { updateIpSet } from './ip-set-update';
import type { BlockTable, Clock, IpSetSnapshot, IpSets } from './ports';
import { chooseEvictions, overflow } from './set-plan';

/** Everything {@link respondToFinding} needs. */
export interface Responder {
  readonly addresses: AddressPolicy;
  readonly policy: BlockPolicy;
  /** Most addresses Bulwark keeps in one IP set. */
  readonly capacity: number;
  /** Most addresses (block targets) taken from one finding; the rest are not blocked. */
  readonly maxAddressesPerFinding: number;
  readonly sets: IpSets;
  readonly table: BlockTable;
  readonly clock: Clock;
}

/** One address blocked (or kept blocked) by a finding. */
export interface BlockedAddress {
  readonly cidr: string;
  readonly family: Family;
  /** Added to a set by this invocation (not already in every set). */
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
  /**
   * Block targets of the finding beyond `maxAddressesPerFinding`, in the finding's
   * order: not recorded and not blocked.
   */
  readonly beyondCap: string[];
  /** Blocks removed to make room, each ending before the newcomers that took its place. */
  readonly evicted: string[];
  /**
   * Addresses left out of a set for lack of room (no block there ended before
   * theirs); one left out of every set is not blocked at all.
   */
  readonly dropped: string[];
  /** IP sets updated, by ARN. */
  readonly setsUpdated: string[];
}

/** Lost races on one record before giving up (the invocation is then retried). */
const RECORD_ATTEMPTS = 5;

/**
 * Blocks the remote addresses of a GuardDuty finding in the IPv4/IPv6 blocklists of
 * both web ACLs: IPv4 as `/32`, IPv6 as its `/64` (two addresses of one /64 are one
 * block), at most `maxAddressesPerFinding` of them. Records each block (a repeat
 * offender's is extended), makes room in a full set by evicting blocks that end
 * before the newcomers' (never one that outlives them; a newcomer that finds none is
 * not blocked), then updates each set once. Idempotent: a redelivered event changes
 * no record and finds the addresses already in the sets. Throws on failure so that
 * Lambda's retries engage; records are written first, so a retry completes the set
 * updates.
 */
export async function respondToFinding(r: Responder, event: unknown): Promise<Decision> {
  const { finding, remoteAddresses } = parseFinding(event);
  const classified = remoteAddresses.map((a) => r.addresses.classify(a));
  const targets = [
    ...new Map(classified.filter(isTarget).map((t) => [t.cidr, t] as const)).values(),
  ];
  const skipped = classified.filter((c): c is SkippedAddress => !isTarget(c));
  const decision = {
    finding,
    blocked: [] as BlockedAddress[],
    skipped,
    beyondCap: [] as string[],
    evicted: [] as string[],
    dropped: [] as string[],
    setsUpdated: [] as string[],
  };
  // Sample findings test the pipeline; their addresses did nothing to this account.
  if (finding.sample) return { ...decision, outcome: 'sample' };
  if (targets.length === 0) return { ...decision, outcome: 'ignored' };
  // One finding must not be able to flush the blocklist: the rest is not even recorded.
  const taken = targets.slice(0, r.maxAddressesPerFinding);
  decision.beyondCap.push(...targets.slice(r.maxAddressesPerFinding).map((t) => t.cidr));

  // Records first: a failed set update is retried with the event and completes then.
  // One instant for the whole finding: its blocks end together, and keep its order.
  const now = r.clock.now();
  const records: BlockRecord[] = [];
  for (const t of taken) records.push(await recordSighting(r, t, finding, now));
  // A redelivered event of a block that has since ended must not block again: the
  // sweep only removes addresses whose record is blocked.
  const live = records.filter((b) => b.status === 'blocked' && b.expiresAt > now);

  const sets = await r.sets.list();
  const added = new Set<string>();
  for (const family of ['v4', 'v6'] as const) {
    // Longest-lived first: where room runs out, the soonest-ending newcomers give way.
    const blocks = live
      .filter((b) => b.family === family)
      .sort((a, b) => b.expiresAt - a.expiresAt);
    if (blocks.length === 0) continue;
    const add = blocks.map((b) => b.address);
    const refs = sets.filter((s) => s.family === family);
    const snapshots = await Promise.all(refs.map((ref) => r.sets.read(ref)));
    const evict = await evictionsFor(r, family, snapshots, blocks);
    const droppedFrom = new Map<string, number>();
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
      for (const a of plan.added) added.add(a);
      for (const d of plan.dropped) droppedFrom.set(d, (droppedFrom.get(d) ?? 0) + 1);
    }
    for (const address of evict) await r.table.release(address, 'evicted');
    decision.evicted.push(...evict);
    // In no set at all: the record must not claim a block. In some sets only: it stays
    // blocked, so that the sweep removes it from those when it expires.
    for (const [address, count] of droppedFrom) {
      decision.dropped.push(address);
      if (count === refs.length) await r.table.release(address, 'evicted');
    }
  }
  const dropped = new Set(decision.dropped);
  decision.blocked.push(
    ...live
      .filter((b) => !dropped.has(b.address))
      .map((b) => ({
        cidr: b.address,
        family: b.family,
        // New to a set now, whether on first delivery or on the retry that completed it.
        newlyBlocked: added.has(b.address),
        offences: b.offences,
        expiresAt: b.expiresAt,
      })),
  );
  return { ...decision, outcome: decision.blocked.length ? 'blocked' : 'ignored' };
}

/** Records one sighting of `target` (optimistic concurrency); returns the current record. */
async function recordSighting(
  r: Responder,
  target: BlockTarget,
  finding: FindingSummary,
  now: number,
): Promise<BlockRecord> {
  for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
    const existing = await r.table.get(target.cidr);
    const next = applySighting(existing, target, finding, r.policy, now);
    if (!next) return existing!;
    if (await r.table.put(next, existing?.version)) return next;
  }
  throw new Error(`Block record of ${target.cidr} kept changing; retrying the event`);
}

/**
 * The blocks to evict so that the newcomers fit in the fullest set: its soonest-ending
 * blocks, only as many as newcomers that outlive them need (see {@link chooseEvictions}).
 * Entries an operator added are never evicted: only Bulwark's blocked records are.
 */
async function evictionsFor(
  r: Responder,
  family: Family,
  snapshots: readonly IpSetSnapshot[],
  blocks: readonly BlockRecord[],
): Promise<string[]> {
  const add = blocks.map((b) => b.address);
  const overflows = snapshots.map((s) => overflow(s.addresses, add, r.capacity));
  const needed = Math.max(0, ...overflows);
  if (needed === 0) return [];
  const fullest = snapshots[overflows.indexOf(needed)];
  const present = new Set(fullest.addresses.map(canonicalCidr));
  const adding = new Set(add);
  const evictable = (await r.table.oldestBlocked(family, needed + add.length)).filter(
    (c) => !adding.has(c.address) && present.has(canonicalCidr(c.address)),
  );
  const newcomers = blocks.filter((b) => !present.has(canonicalCidr(b.address)));
  return chooseEvictions(r.capacity - present.size, newcomers, evictable);
}
