import type {
  Actor,
  ApiKeyRecord,
  AuditRecord,
  Entry,
  EntryDocument,
  EntryPosition,
  KeyStanding,
  Role,
  SupportGrant,
} from './model';

/** One request of a support person, to admit under a live grant and audit. */
export interface SupportRequest {
  readonly spaceId: string;
  readonly subject: string;
  /** The role the request needs. */
  readonly needed: 'read' | 'write';
  /** When the request is made; a grant is live while `expiresAt` is after it. */
  readonly at: string;
  /** What was asked for: method and path. */
  readonly route: string;
}

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
  readWithKey(
    hash: Buffer,
    read: EntryRead,
  ): Promise<{ key?: KeyStanding; entries: EntryDocument[] }>;
  /** Performs `read` alone (for a caller authorized without the database). */
  readEntries(read: EntryRead): Promise<EntryDocument[]>;
  findKeyByHash(hash: Buffer): Promise<ApiKeyRecord | undefined>;
  listKeys(spaceId: string): Promise<ApiKeyRecord[]>;
  listAudit(
    spaceId: string,
    query: { beforeId?: number; limit: number },
  ): Promise<(AuditRecord & { id: number })[]>;
  /** A space's support grants, newest first, before `before` when given. */
  listSupportGrants(
    spaceId: string,
    query: { before?: { createdAt: string; id: string }; limit: number },
  ): Promise<SupportGrant[]>;
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
  insertSupportGrant(grant: SupportGrant): Promise<void>;
  /**
   * Revokes a grant that is live at `at`; undefined when there is none (missing,
   * expired or already revoked).
   */
  revokeSupportGrant(
    spaceId: string,
    id: string,
    at: string,
    by: Pick<Actor, 'keyId' | 'subject'>,
  ): Promise<SupportGrant | undefined>;
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
  /**
   * Admits a support person's request in ONE statement: finds a grant of the space
   * that is live at the request's time and allows the role needed, counts the use
   * and writes the `support.<role>` audit row naming the person, the grant and the
   * route. Returns the grant's id; undefined (and nothing written) when no grant
   * admits the request.
   */
  useSupportGrant(request: SupportRequest): Promise<string | undefined>;
}

/** Queues CDN invalidations of published paths. */
export interface Invalidator {
  invalidate(paths: string[]): Promise<void>;
}
