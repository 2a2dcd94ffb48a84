import { canonicalCidr } from './addresses';

/** Addresses to put into and take out of one IP set. */
export interface SetChange {
  /** In order of priority: when room runs out, the last ones are dropped. */
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** The new contents of an IP set and what changed. */
export interface SetPlan {
  /** Full address list for `UpdateIPSet`. */
  readonly addresses: string[];
  readonly added: string[];
  readonly removed: string[];
  /** Addresses to add that did not fit under the capacity. */
  readonly dropped: string[];
  /** `false` when the set already matches: no update is needed. */
  readonly changed: boolean;
}

/**
 * Merges a change into an IP set's addresses. Entries are compared in canonical
 * form; entries Bulwark did not add (an operator's manual block) are kept. New
 * addresses are taken in the order of `change.add` while there is room; those beyond
 * `capacity` are dropped, never the set's existing ones.
 */
export function planSetUpdate(
  current: readonly string[],
  change: SetChange,
  capacity: number,
): SetPlan {
  const remove = new Set(change.remove.map(canonicalCidr));
  const kept = new Map<string, string>();
  const removed: string[] = [];
  for (const entry of current) {
    const key = canonicalCidr(entry);
    if (remove.has(key)) removed.push(entry);
    else kept.set(key, entry);
  }
  const added: string[] = [];
  const dropped: string[] = [];
  for (const a of change.add) {
    const key = canonicalCidr(a);
    if (kept.has(key)) continue;
    if (kept.size >= capacity) {
      dropped.push(a);
      continue;
    }
    kept.set(key, a);
    added.push(a);
  }
  return {
    addresses: [...kept.values()],
    added,
    removed,
    dropped,
    changed: added.length > 0 || removed.length > 0,
  };
}

/** How many entries must leave a set so that `add` fits under `capacity`. */
export function overflow(current: readonly string[], add: readonly string[], capacity: number) {
  const present = new Set(current.map(canonicalCidr));
  const fresh = new Set(add.map(canonicalCidr).filter((a) => !present.has(a)));
  return Math.max(0, present.size + fresh.size - capacity);
}

/** A block and when it ends (epoch seconds). */
export interface Expiring {
  readonly address: string;
  readonly expiresAt: number;
}

/**
 * Which of a full set's blocks to evict so that newcomers fit. A block is only ever
 * evicted for a newcomer that outlives it: the longest-lived newcomers are admitted
 * first, each admission past the free room costs the soonest-ending evictable block,
 * and only while that block ends strictly before every admitted newcomer. Newcomers
 * that cannot be admitted that way are left out (the caller does not block them).
 *
 * @param free room left in the set (capacity minus its entries; negative when over)
 * @param newcomers blocks to add that the set does not hold
 * @param evictable blocks in the set that may leave (Bulwark's, not an operator's)
 * @returns addresses to evict, soonest-ending first
 */
export function chooseEvictions(
  free: number,
  newcomers: readonly Expiring[],
  evictable: readonly Expiring[],
): string[] {
  const longestFirst = [...newcomers].sort((a, b) => b.expiresAt - a.expiresAt);
  const soonestFirst = [...evictable].sort((a, b) => a.expiresAt - b.expiresAt);
  for (let admitted = longestFirst.length; admitted > 0; admitted--) {
    const needed = admitted - free;
    if (needed <= 0) return [];
    if (needed > soonestFirst.length) continue;
    // Sorted: the needed-th soonest evictable block is the last to end of those evicted.
    if (soonestFirst[needed - 1].expiresAt < longestFirst[admitted - 1].expiresAt) {
      return soonestFirst.slice(0, needed).map((b) => b.address);
    }
  }
  return [];
}
