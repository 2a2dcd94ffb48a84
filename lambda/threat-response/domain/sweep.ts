import { updateIpSet } from './ip-set-update';
import type { BlockTable, Clock, IpSets } from './ports';

/** What one sweep did. */
export interface SweepResult {
  /** Addresses whose block ended and that left the sets. */
  readonly expired: string[];
  /** Addresses blocked again while the sweep ran, put back into the sets. */
  readonly reblocked: string[];
  /** IP sets updated, by ARN. */
  readonly setsUpdated: string[];
}

/** What {@link sweepExpiredBlocks} needs. */
export interface Sweeper {
  readonly sets: IpSets;
  readonly table: BlockTable;
  readonly clock: Clock;
  readonly capacity: number;
}

/**
 * Removes every address whose block has ended from the sets of both web ACLs (one
 * update per set), then marks its record `expired`. An address blocked again while
 * the sweep ran keeps its record (the conditional release fails) and is put back.
 * Entries Bulwark did not add are never touched.
 */
export async function sweepExpiredBlocks(s: Sweeper): Promise<SweepResult> {
  const now = s.clock.now();
  const result: SweepResult = { expired: [], reblocked: [], setsUpdated: [] };
  const sets = await s.sets.list();
  for (const family of ['v4', 'v6'] as const) {
    const due = (await s.table.expiredBy(family, now)).map((b) => b.address);
    if (due.length === 0) continue;
    const refs = sets.filter((ref) => ref.family === family);
    for (const ref of refs) {
      const plan = await updateIpSet(s.sets, s.clock, ref, { add: [], remove: due }, s.capacity);
      if (plan.changed) result.setsUpdated.push(ref.arn);
    }
    const reblocked: string[] = [];
    for (const address of due) {
      if (await s.table.release(address, 'expired', now)) result.expired.push(address);
      else reblocked.push(address);
    }
    for (const ref of reblocked.length ? refs : []) {
      await updateIpSet(s.sets, s.clock, ref, { add: reblocked, remove: [] }, s.capacity);
    }
    result.reblocked.push(...reblocked);
  }
  return result;
}
