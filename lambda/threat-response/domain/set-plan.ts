import { canonicalCidr } from './addresses';

/** Addresses to put into and take out of one IP set. */
export interface SetChange {
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
 * addresses beyond `capacity` are dropped, never the set's existing ones.
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
