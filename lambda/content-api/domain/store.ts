import type { ApiKeyRecord, AuditRecord, Entry, EntryPosition, Role } from './model';

/** Outcome of a conditional write on one entry. */
export type EntryWrite = Entry | 'missing' | 'stale';

/** A read of entries, done together with the caller's key lookup. */
export type EntryRead =
  | { readonly kind: 'one'; readonly spaceId: string; readonly id: string }
  | {
      readonly kind: 'list';
      readonly spaceId: string;
      readonly contentType?: string;
      readonly publishedOnly: boolean;
      readonly after?: EntryPosition;
      readonly limit: number;
    };

/** Reads of the content database. */
export interface ContentReader {
  /**
   * Looks up the key with `hash` and, in the same round trip, performs `read`.
   * The entries are only meaningful when the key exists; callers check it first.
   */
  readWithKey(hash: Buffer, read: EntryRead): Promise<{ key?: ApiKeyRecord; entries: Entry[] }>;
  /** Performs `read` alone (for a caller authorized without the database). */
  readEntries(read: EntryRead): Promise<Entry[]>;
  findKeyByHash(hash: Buffer): Promise<ApiKeyRecord | undefined>;
  listKeys(spaceId: string): Promise<ApiKeyRecord[]>;
  listAudit(
    spaceId: string,
    query: { beforeId?: number; limit: number },
  ): Promise<(AuditRecord & { id: number })[]>;
}

/** Writes, inside one transaction: all of them commit with their audit row, or none. */
export interface ContentWriter {
  /** Inserts an entry; throws ConflictError when the slug is taken. */
  insertEntry(spaceId: string, entry: Entry): Promise<void>;
  /** Applies a change when the entry exists and (if given) has `expectedVersion`. */
  updateEntry(
    spaceId: string,
    id: string,
    expectedVersion: number | undefined,
    change: { slug?: string; fields?: Record<string, unknown>; publishedAt?: string; at: string },
  ): Promise<EntryWrite>;
  deleteEntry(
    spaceId: string,
    id: string,
    expectedVersion: number | undefined,
  ): Promise<EntryWrite>;
  insertKey(
    record: Omit<ApiKeyRecord, 'revokedAt' | 'expiresAt'> & { hash: Buffer; role: Role },
  ): Promise<void>;
  /**
   * Sets a live key's expiry to `at` unless it expires earlier; undefined when there
   * is no key that is neither revoked nor expired at `now`.
   */
  expireKey(
    spaceId: string,
    id: string,
    at: string,
    now: string,
  ): Promise<ApiKeyRecord | undefined>;
  revokeKey(spaceId: string, id: string, at: string): Promise<ApiKeyRecord | undefined>;
  audit(spaceId: string, record: AuditRecord): Promise<void>;
  /** Creates a space; false when it exists already. */
  insertSpace(spaceId: string, at: string): Promise<boolean>;
  /**
   * Records CDN paths to invalidate once this transaction commits (the outbox): the
   * write and its invalidation commit together, or neither.
   */
  queueInvalidation(spaceId: string, paths: string[], at: string): Promise<PendingInvalidation>;
}

/** An invalidation recorded in the outbox, not yet known to be sent. */
export interface PendingInvalidation {
  readonly id: number;
  readonly paths: string[];
}

/** The content database. */
export interface ContentStore extends ContentReader {
  transaction<T>(work: (tx: ContentWriter) => Promise<T>): Promise<T>;
  /**
   * Removes a sent invalidation from the outbox, unless the drainer holds it
   * (then the drainer removes it); never waits for a lock.
   */
  removeInvalidation(id: number): Promise<void>;
}

/** Queues CDN invalidations of published paths. */
export interface Invalidator {
  invalidate(paths: string[]): Promise<void>;
}
