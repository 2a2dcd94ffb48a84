import type { Family } from './addresses';
import type { BlockRecord } from './block-record';

/** The web ACL an IP set belongs to: CloudFront's (`edge`) or the ALB's (`origin`). */
export type Layer = 'edge' | 'origin';

/** One blocklist IP set. */
export interface IpSetRef {
  readonly layer: Layer;
  readonly family: Family;
  readonly arn: string;
  readonly name: string;
  readonly id: string;
  readonly scope: 'CLOUDFRONT' | 'REGIONAL';
  /** Region of its WAF endpoint (us-east-1 for CloudFront). */
  readonly region: string;
}

/** An IP set as read, with the lock token its update must carry. */
export interface IpSetSnapshot {
  readonly addresses: readonly string[];
  readonly lockToken: string;
  /** Kept on update: `UpdateIPSet` resets a description it is not given. */
  readonly description?: string;
}

/** The set changed since it was read (WAF's `WAFOptimisticLockException`). */
export class LockConflictError extends Error {
  override readonly name = 'LockConflictError';
}

/** The blocklist IP sets of both web ACLs. */
export interface IpSets {
  /** Every blocklist set (both layers, both families). */
  list(): Promise<IpSetRef[]>;
  read(ref: IpSetRef): Promise<IpSetSnapshot>;
  /** Replaces the set's addresses; throws {@link LockConflictError} on a stale token. */
  write(ref: IpSetRef, snapshot: IpSetSnapshot, addresses: readonly string[]): Promise<void>;
}

/** The table recording every block. */
export interface BlockTable {
  get(address: string): Promise<BlockRecord | undefined>;
  /** Writes `record` if the stored version is still `previousVersion`; `false` if not. */
  put(record: BlockRecord, previousVersion: number | undefined): Promise<boolean>;
  /** Blocked addresses of `family`, the soonest-expiring first. */
  oldestBlocked(family: Family, limit: number): Promise<BlockRecord[]>;
  /** Blocked addresses of `family` whose block ended at or before `now`. */
  expiredBy(family: Family, now: number): Promise<BlockRecord[]>;
  /**
   * Marks a blocked address `expired` or `evicted`. With `ifExpiredBy`, only if its
   * block still ends at or before that time; `false` if the condition failed.
   */
  release(address: string, status: 'expired' | 'evicted', ifExpiredBy?: number): Promise<boolean>;
}

/** Time and randomness, injected so tests control them. */
export interface Clock {
  /** Epoch seconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. */
  random(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Math.floor(Date.now() / 1000),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};
