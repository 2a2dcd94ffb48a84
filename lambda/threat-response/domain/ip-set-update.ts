import type { Clock, IpSetRef, IpSetSnapshot, IpSets } from './ports';
import { LockConflictError } from './ports';
import { type SetChange, type SetPlan, planSetUpdate } from './set-plan';

/** Attempts of one set update before a lock conflict is rethrown. */
export const LOCK_ATTEMPTS = 6;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * Applies `change` to one IP set: merge, then `UpdateIPSet` with the lock token of
 * the read. When another writer got there first, reads again and retries with
 * full-jitter exponential backoff. Skips the update when nothing would change.
 */
export async function updateIpSet(
  sets: IpSets,
  clock: Clock,
  ref: IpSetRef,
  change: SetChange,
  capacity: number,
  first?: IpSetSnapshot,
): Promise<SetPlan> {
  let snapshot = first ?? (await sets.read(ref));
  for (let attempt = 1; ; attempt++) {
    const plan = planSetUpdate(snapshot.addresses, change, capacity);
    if (!plan.changed) return plan;
    try {
      await sets.write(ref, snapshot, plan.addresses);
      return plan;
    } catch (err) {
      if (!(err instanceof LockConflictError) || attempt >= LOCK_ATTEMPTS) throw err;
    }
    const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
    await clock.sleep(Math.round(clock.random() * ceiling));
    snapshot = await sets.read(ref);
  }
}
