import { randomUUID } from 'node:crypto';
import {
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnauthorizedError,
} from '../../shared/errors';
import { generateKey, hashKey, looksLikeKey } from './api-keys';
import { CursorCodec, cursorKey } from './cursor';
import {
  actorName,
  actorOf,
  roleIncludes,
  type ApiKeyRecord,
  type Entry,
  type EntryDocument,
  type KeyPrincipal,
  type KeyStanding,
  type Operator,
  type PersonPrincipal,
  type Principal,
  type Role,
  type SupportGrant,
} from './model';
import {
  type KeyManagement,
  type PersonVerifier,
  SUPPORT_GROUP,
  looksLikeJwt,
  rolesFromGroups,
} from './people';
import type { EntryPatch, NewEntry, NewKey, NewSupportGrant } from './schemas';
import type {
  ContentStore,
  EntryRead,
  EntryWrite,
  Invalidator,
  PendingInvalidation,
} from './store';

/** What the service needs from outside. */
export interface ServiceDeps {
  readonly store: ContentStore;
  readonly invalidator: Invalidator;
  /** Secret mixed into key hashes. */
  readonly pepper: Buffer;
  /** How long a rotated key keeps working, in seconds. */
  readonly rotationGraceSeconds: number;
  /** Current time (injectable for tests). */
  readonly now: () => Date;
  /**
   * Verifies people's access tokens (user pool). Without it, only keys are accepted.
   * @default - none
   */
  readonly people?: PersonVerifier;
  /**
   * Who may manage keys.
   * @default 'admins' - any admin key or person
   */
  readonly keyManagement?: KeyManagement;
  /**
   * How long a write waits for its CDN invalidation to be queued before it answers
   * anyway (the outbox drainer then sends it), in milliseconds.
   * @default 1000
   */
  readonly invalidationWaitMs?: number;
  /**
   * Receives an invalidation that could not be queued at once (it stays in the
   * outbox for the drainer).
   * @default - ignored
   */
  readonly onInvalidationDeferred?: (detail: Record<string, unknown>) => void;
}

/** A key as shown to admins: never the key or its hash. */
export type KeyView = Pick<ApiKeyRecord, 'id' | 'name' | 'role' | 'createdAt' | 'expiresAt'>;
/** A newly minted key: the only time the key itself is shown. */
export type NewKeyView = Pick<ApiKeyRecord, 'id' | 'name' | 'role' | 'createdAt'> & { key: string };

/** A support grant as its space's admins see it. */
export interface SupportGrantView {
  readonly id: string;
  readonly reason: string;
  readonly role: SupportGrant['role'];
  readonly createdAt: string;
  readonly expiresAt: string;
  /** `key:<id>` or `person:<subject>`. */
  readonly grantedBy: string;
  readonly status: 'live' | 'expired' | 'revoked';
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  /** Requests admitted under it, and when the last one was. */
  readonly uses: number;
  readonly lastUsedAt: string | null;
}

/** A newly given grant. */
export type NewSupportGrantView = Pick<
  SupportGrantView,
  'id' | 'reason' | 'role' | 'createdAt' | 'expiresAt' | 'grantedBy'
>;

/** Longest route recorded in a support audit row (every real route is far shorter). */
const MAX_ROUTE_CHARS = 512;

/** A timestamp as the store returns it (`Date.toISOString()`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isPosition = (v: unknown): v is { c: string; i: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { c?: unknown }).c === 'string' &&
  typeof (v as { i?: unknown }).i === 'string' &&
  ISO_INSTANT.test((v as { c: string }).c) &&
  LOWER_UUID.test((v as { i: string }).i);

const isAuditPosition = (v: unknown): v is { b: number } =>
  typeof v === 'object' &&
  v !== null &&
  Number.isSafeInteger((v as { b?: unknown }).b) &&
  (v as { b: number }).b > 0;

/**
 * A page from `limit + 1` rows read: the first `limit`, and a cursor to continue
 * after the last of them when the extra row shows there is more.
 */
function page<T>(
  rows: T[],
  limit: number,
  cursor: (last: T) => string,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursor(items[items.length - 1]) : null };
}

/** What {@link settleWithin} answers for work still running when its time is up. */
const LATE = Symbol('late');

/** `work`'s value, or {@link LATE} when it has not settled within `ms`. */
async function settleWithin<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Paths of an entry that a CDN may have cached. */
const entryPaths = (spaceId: string, id: string) => [
  `/v1/spaces/${spaceId}/entries/${id}*`,
  `/v1/spaces/${spaceId}/entries*`,
];

/**
 * The content API's rules: who may do what, and what each operation changes.
 * Pure of I/O: the store, invalidator and clock are injected.
 */
export class ContentService {
  private readonly cursors: CursorCodec;

  constructor(private readonly deps: ServiceDeps) {
    this.cursors = new CursorCodec(cursorKey(deps.pepper));
  }

  private stamp(): string {
    return this.deps.now().toISOString();
  }

  /** Resolves a bearer token to its key or its person, or throws 401. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (token && looksLikeJwt(token)) return this.person(token);
    return this.principalOf(await this.deps.store.findKeyByHash(this.tokenHash(token)));
  }

  /** The person of a user-pool access token (verified offline), or 401. */
  private async person(token: string): Promise<Principal> {
    if (!this.deps.people) throw new UnauthorizedError();
    const claims = await this.deps.people.verify(token);
    if (claims.groups.includes(SUPPORT_GROUP)) return { kind: 'support', subject: claims.subject };
    return { kind: 'person', subject: claims.subject, roles: rolesFromGroups(claims.groups) };
  }

  private tokenHash(token: string | undefined): Buffer {
    if (!token || !looksLikeKey(token)) throw new UnauthorizedError();
    return hashKey(token, this.deps.pepper);
  }

  /** The principal of a stored key, or 401 when it is unknown, revoked or expired. */
  private principalOf(key: KeyStanding | undefined): KeyPrincipal {
    const now = this.deps.now().getTime();
    if (!key || key.revokedAt || (key.expiresAt && Date.parse(key.expiresAt) <= now)) {
      throw new UnauthorizedError();
    }
    return { kind: 'key', keyId: key.id, spaceId: key.spaceId, role: key.role };
  }

  /**
   * Authenticates and reads in one database round trip, then applies the same
   * checks as every other route before anything read is returned: 401 for a bad
   * key, 403 for another space or a preview without the write role.
   */
  private async readWithKey(
    token: string | undefined,
    read: EntryRead,
    preview: boolean,
    route: string,
  ): Promise<EntryDocument[]> {
    if (token && looksLikeJwt(token)) {
      // A person's token is verified without the database (a support person's
      // grant with it, in one statement); then one read.
      await this.admit(await this.person(token), read.spaceId, preview ? 'write' : 'read', route);
      return this.deps.store.readEntries(read);
    }
    const { key, entries } = await this.deps.store.readWithKey(this.tokenHash(token), read);
    this.authorize(this.principalOf(key), read.spaceId, preview ? 'write' : 'read');
    return entries;
  }

  /** GET of one entry: published ones, or drafts too with `preview` (write role). */
  async readEntry(
    token: string | undefined,
    spaceId: string,
    id: string,
    preview: boolean,
    route: string,
  ): Promise<EntryDocument> {
    const [entry] = await this.readWithKey(token, { kind: 'one', spaceId, id }, preview, route);
    if (!entry || (entry.status !== 'published' && !preview))
      throw new NotFoundError('No such entry');
    return entry;
  }

  /** GET of a page of entries in a stable order, with an opaque cursor to the next page. */
  async readEntries(
    token: string | undefined,
    spaceId: string,
    query: { contentType?: string; limit: number; cursor?: string; preview: boolean },
    route: string,
  ): Promise<{ items: EntryDocument[]; nextCursor: string | null }> {
    // Decoded (and its MAC checked) before anything is read: a forged cursor is a 400.
    const after = query.cursor
      ? this.cursors.decode('entries', spaceId, query.cursor, isPosition)
      : undefined;
    const rows = await this.readWithKey(
      token,
      {
        kind: 'list',
        spaceId,
        contentType: query.contentType,
        publishedOnly: !query.preview,
        after: after && { createdAt: after.c, id: after.i },
        limit: query.limit + 1,
      },
      query.preview,
      route,
    );
    return page(rows, query.limit, (last) =>
      this.cursors.encode('entries', spaceId, { c: last.createdAt, i: last.id }),
    );
  }

  /**
   * Throws 403 unless the principal has at least `role` in `spaceId`: a key
   * belongs to one space; a person holds the roles their groups give.
   */
  authorize(principal: KeyPrincipal | PersonPrincipal, spaceId: string, role: Role): void {
    if (principal.kind === 'person') {
      const held = principal.roles.get(spaceId);
      if (!held) throw new ForbiddenError('You have no role in this space');
      if (!roleIncludes(held, role)) throw new ForbiddenError(`This needs the ${role} role`);
      return;
    }
    if (principal.spaceId !== spaceId)
      throw new ForbiddenError('This key belongs to another space');
    if (!roleIncludes(principal.role, role)) {
      throw new ForbiddenError(`This needs a key with the ${role} role`);
    }
  }

  /**
   * Admits a request needing `role` in `spaceId`, and returns the principal to act
   * as. Keys and people are checked as {@link authorize} does. A support person is
   * admitted only under a live grant of the space allowing `role`, found, counted and
   * audited (`support.<role>`, with the route) in one statement; admin routes (keys,
   * grants, the audit log) are never theirs.
   */
  async admit(
    principal: Principal,
    spaceId: string,
    role: Role,
    route: string,
  ): Promise<Principal> {
    if (principal.kind !== 'support') {
      this.authorize(principal, spaceId, role);
      return principal;
    }
    if (role === 'admin') {
      throw new ForbiddenError('Support access never includes keys, grants or the audit log');
    }
    const grantId = await this.deps.store.useSupportGrant({
      spaceId,
      subject: principal.subject,
      needed: role,
      at: this.stamp(),
      route: route.length > MAX_ROUTE_CHARS ? `${route.slice(0, MAX_ROUTE_CHARS - 1)}…` : route,
    });
    if (!grantId) throw new ForbiddenError('Support access needs a live grant of this space');
    return { ...principal, grantId };
  }

  /**
   * With `keyManagement: 'people'`, throws 403 for a key: keys are minted, and
   * support access granted, by named people.
   */
  authorizeKeyManagement(principal: Principal, what: 'keys' | 'support-grants' = 'keys'): void {
    if (this.deps.keyManagement === 'people' && principal.kind === 'key') {
      throw new ForbiddenError(
        what === 'keys'
          ? 'Keys are managed by people signed in with the admin role'
          : 'Support access is granted by people signed in with the admin role',
      );
    }
  }

  async createEntry(principal: Principal, spaceId: string, input: NewEntry): Promise<Entry> {
    const at = this.stamp();
    const entry: Entry = {
      id: randomUUID(),
      contentType: input.contentType,
      slug: input.slug,
      fields: input.fields,
      status: 'draft',
      version: 1,
      createdAt: at,
      updatedAt: at,
      publishedAt: null,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.insertEntry(spaceId, entry);
      await tx.audit(spaceId, {
        at,
        ...actorOf(principal),
        action: 'entry.create',
        target: `entries/${entry.id}`,
      });
    });
    return entry;
  }

  async updateEntry(
    principal: Principal,
    spaceId: string,
    id: string,
    version: number,
    patch: EntryPatch,
  ): Promise<Entry> {
    const at = this.stamp();
    return this.write(principal, spaceId, id, 'entry.update', (tx) =>
      tx.updateEntry(spaceId, id, version, { ...patch, at }),
    );
  }

  async publishEntry(
    principal: Principal,
    spaceId: string,
    id: string,
    version: number | undefined,
  ): Promise<Entry> {
    const at = this.stamp();
    return this.write(principal, spaceId, id, 'entry.publish', (tx) =>
      tx.updateEntry(spaceId, id, version, { publishedAt: at, at }),
    );
  }

  async deleteEntry(
    principal: Principal,
    spaceId: string,
    id: string,
    version: number | undefined,
  ): Promise<void> {
    await this.write(principal, spaceId, id, 'entry.delete', (tx) =>
      tx.deleteEntry(spaceId, id, version),
    );
  }

  /**
   * Runs one conditional entry write with its audit row and, when the entry is
   * public, its CDN invalidation in the outbox: all three commit together. The
   * invalidation is then queued at once when the queue answers in time; otherwise
   * the drainer sends it. Either way the committed write answers 2xx.
   */
  private async write(
    principal: Principal,
    spaceId: string,
    id: string,
    action: string,
    change: (tx: Parameters<Parameters<ContentStore['transaction']>[0]>[0]) => Promise<EntryWrite>,
  ): Promise<Entry> {
    const at = this.stamp();
    const { entry, pending } = await this.deps.store.transaction(async (tx) => {
      const result = await change(tx);
      if (result === 'missing') throw new NotFoundError('No such entry');
      if (result === 'stale') throw new PreconditionFailedError();
      await tx.audit(spaceId, { at, ...actorOf(principal), action, target: `entries/${id}` });
      const queued =
        result.status === 'published'
          ? await tx.queueInvalidation(spaceId, entryPaths(spaceId, id), at)
          : undefined;
      return { entry: result, pending: queued };
    });
    if (pending) await this.deliver(pending);
    return entry;
  }

  /** Sends a committed invalidation and removes it from the outbox; never throws. */
  private async deliver(pending: PendingInvalidation): Promise<void> {
    // Undefined once sent and removed, else why not (the drainer sends it then).
    const failure = this.deps.invalidator
      .invalidate(pending.paths)
      .then(() => this.deps.store.removeInvalidation(pending.id))
      .then(
        () => undefined,
        (err: unknown) => String((err as Error)?.message ?? err),
      );
    const outcome = await settleWithin(failure, this.deps.invalidationWaitMs ?? 1000);
    if (outcome === undefined) return;
    this.deps.onInvalidationDeferred?.({
      outboxId: pending.id,
      reason: outcome === LATE ? 'timed out' : outcome,
    });
  }

  async listKeys(spaceId: string): Promise<KeyView[]> {
    const keys = await this.deps.store.listKeys(spaceId);
    return keys
      .filter((k) => !k.revokedAt)
      .map(({ id, name, role, createdAt, expiresAt }) => ({
        id,
        name,
        role,
        createdAt,
        expiresAt,
      }));
  }

  /** Creates a space (an operator's act, audited as `space.create`); false if it exists. */
  async createSpace(operator: Operator, spaceId: string): Promise<boolean> {
    const at = this.stamp();
    return this.deps.store.transaction(async (tx) => {
      const created = await tx.insertSpace(spaceId, at);
      if (created) {
        await tx.audit(spaceId, {
          at,
          ...actorOf(operator),
          action: 'space.create',
          target: `spaces/${spaceId}`,
        });
      }
      return created;
    });
  }

  async createKey(
    principal: Principal | Operator,
    spaceId: string,
    input: NewKey,
    key = generateKey(),
  ): Promise<NewKeyView> {
    const createdAt = this.stamp();
    const id = randomUUID();
    await this.deps.store.transaction(async (tx) => {
      await tx.insertKey({
        id,
        spaceId,
        name: input.name,
        role: input.role,
        createdAt,
        hash: hashKey(key, this.deps.pepper),
      });
      await tx.audit(spaceId, {
        at: createdAt,
        ...actorOf(principal),
        action: 'key.create',
        target: `keys/${id}`,
      });
    });
    return { id, name: input.name, role: input.role, createdAt, key };
  }

  async rotateKey(principal: Principal, spaceId: string, keyId: string): Promise<NewKeyView> {
    const at = this.stamp();
    const graceEnd = new Date(
      this.deps.now().getTime() + this.deps.rotationGraceSeconds * 1000,
    ).toISOString();
    const key = generateKey();
    const id = randomUUID();
    const old = await this.deps.store.transaction(async (tx) => {
      // A revoked or already expired key is gone: 404, as for a missing one.
      const current = await tx.expireKey(spaceId, keyId, graceEnd, at);
      if (!current) throw new NotFoundError('No such key');
      await tx.insertKey({
        id,
        spaceId,
        name: current.name,
        role: current.role,
        createdAt: at,
        hash: hashKey(key, this.deps.pepper),
      });
      // Both keys' lives are in the log: the old one's rotation, the new one's creation.
      await tx.audit(spaceId, {
        at,
        ...actorOf(principal),
        action: 'key.rotate',
        target: `keys/${keyId}`,
      });
      await tx.audit(spaceId, {
        at,
        ...actorOf(principal),
        action: 'key.create',
        target: `keys/${id}`,
      });
      return current;
    });
    return { id, name: old.name, role: old.role, createdAt: at, key };
  }

  async revokeKey(principal: Principal, spaceId: string, keyId: string): Promise<void> {
    const at = this.stamp();
    await this.deps.store.transaction(async (tx) => {
      const revoked = await tx.revokeKey(spaceId, keyId, at);
      if (!revoked) throw new NotFoundError('No such key');
      await tx.audit(spaceId, {
        at,
        ...actorOf(principal),
        action: 'key.revoke',
        target: `keys/${keyId}`,
      });
    });
  }

  /** Gives support access to a space for `hours` (audited as `support.grant`). */
  async grantSupport(
    principal: Principal,
    spaceId: string,
    input: NewSupportGrant,
  ): Promise<NewSupportGrantView> {
    const createdAt = this.stamp();
    const expiresAt = new Date(this.deps.now().getTime() + input.hours * 3_600_000).toISOString();
    const actor = actorOf(principal);
    const grant: SupportGrant = {
      id: randomUUID(),
      spaceId,
      reason: input.reason,
      role: input.role,
      createdAt,
      expiresAt,
      grantedBy: { keyId: actor.keyId, subject: actor.subject },
      revokedAt: null,
      revokedBy: null,
      uses: 0,
      lastUsedAt: null,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.insertSupportGrant(grant);
      await tx.audit(spaceId, {
        at: createdAt,
        ...actor,
        action: 'support.grant',
        target: `support-grants/${grant.id}`,
      });
    });
    const { id, reason, role } = grant;
    return { id, reason, role, createdAt, expiresAt, grantedBy: actorName(grant.grantedBy) };
  }

  /** Ends a live grant at once (audited as `support.revoke`); 404 when none is live. */
  async revokeSupport(principal: Principal, spaceId: string, grantId: string): Promise<void> {
    const at = this.stamp();
    const actor = actorOf(principal);
    await this.deps.store.transaction(async (tx) => {
      const revoked = await tx.revokeSupportGrant(spaceId, grantId, at, actor);
      if (!revoked) throw new NotFoundError('No live support grant with this id');
      await tx.audit(spaceId, {
        at,
        ...actor,
        action: 'support.revoke',
        target: `support-grants/${grantId}`,
      });
    });
  }

  /** A space's grants, live and past, newest first, with their use. */
  async listSupportGrants(
    spaceId: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: SupportGrantView[]; nextCursor: string | null }> {
    const before = query.cursor
      ? this.cursors.decode('support-grants', spaceId, query.cursor, isPosition)
      : undefined;
    const rows = await this.deps.store.listSupportGrants(spaceId, {
      before: before && { createdAt: before.c, id: before.i },
      limit: query.limit + 1,
    });
    const now = this.deps.now().getTime();
    const { items, nextCursor } = page(rows, query.limit, (last) =>
      this.cursors.encode('support-grants', spaceId, { c: last.createdAt, i: last.id }),
    );
    return {
      items: items.map((g) => ({
        id: g.id,
        reason: g.reason,
        role: g.role,
        createdAt: g.createdAt,
        expiresAt: g.expiresAt,
        grantedBy: actorName(g.grantedBy),
        status: g.revokedAt ? 'revoked' : Date.parse(g.expiresAt) <= now ? 'expired' : 'live',
        revokedAt: g.revokedAt,
        revokedBy: g.revokedBy && actorName(g.revokedBy),
        uses: g.uses,
        lastUsedAt: g.lastUsedAt,
      })),
      nextCursor,
    };
  }

  async auditLog(
    spaceId: string,
    query: { limit: number; cursor?: string },
  ): Promise<{
    items: {
      at: string;
      keyId: string | null;
      subject: string | null;
      grantId: string | null;
      action: string;
      target: string;
    }[];
    nextCursor: string | null;
  }> {
    const before = query.cursor
      ? this.cursors.decode('audit-log', spaceId, query.cursor, isAuditPosition).b
      : undefined;
    const rows = await this.deps.store.listAudit(spaceId, {
      beforeId: before,
      limit: query.limit + 1,
    });
    const { items, nextCursor } = page(rows, query.limit, (last) =>
      this.cursors.encode('audit-log', spaceId, { b: last.id }),
    );
    return {
      items: items.map(({ at, keyId, subject, grantId, action, target }) => ({
        at,
        keyId,
        subject,
        grantId,
        action,
        target,
      })),
      nextCursor,
    };
  }
}
