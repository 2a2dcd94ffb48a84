/** Roles of API keys, weakest first: each includes everything of the one before. */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` includes everything `needed` may do. */
export const roleIncludes = (role: Role, needed: Role): boolean =>
  ROLES.indexOf(role) >= ROLES.indexOf(needed);

export type EntryStatus = 'draft' | 'published';

/** A content entry as the API returns it. */
export interface Entry {
  readonly id: string;
  readonly contentType: string;
  readonly slug: string;
  readonly fields: Record<string, unknown>;
  readonly status: EntryStatus;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedAt: string | null;
}

/**
 * An entry as read for a response: what the service judges (status, version, its
 * position in a listing) and the entry itself as JSON text of the {@link Entry} shape,
 * its fields as the database printed them, so that a read neither parses nor
 * re-serializes the fields.
 */
export interface EntryDocument {
  readonly id: string;
  readonly status: EntryStatus;
  readonly version: number;
  readonly createdAt: string;
  /** The entry as a JSON object with the {@link Entry} properties, in that order. */
  readonly json: string;
}

/** An API key as stored: never the key itself, only its hash. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly spaceId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/** What authenticating with a key needs of its record. */
export type KeyStanding = Pick<ApiKeyRecord, 'id' | 'spaceId' | 'role' | 'expiresAt' | 'revokedAt'>;

/** A program calling with an API key: one space, one role. */
export interface KeyPrincipal {
  readonly kind: 'key';
  readonly keyId: string;
  readonly spaceId: string;
  readonly role: Role;
}

/** A person signed in through the user pool: a role per space, from their groups. */
export interface PersonPrincipal {
  readonly kind: 'person';
  /** The user pool's `sub` of the person. */
  readonly subject: string;
  readonly roles: ReadonlyMap<string, Role>;
}

/**
 * A support engineer (a person in the user pool's `support` group). They hold no
 * role of their own: each request is admitted only under a live grant of the space
 * it names, which is then carried here and named in every audit row.
 */
export interface SupportPrincipal {
  readonly kind: 'support';
  /** The user pool's `sub` of the person. */
  readonly subject: string;
  /** The grant the current request was admitted under (named in its audit rows). */
  readonly grantId?: string;
}

/** Who is calling. */
export type Principal = KeyPrincipal | PersonPrincipal | SupportPrincipal;

/**
 * An operator's tool acting outside the API (`space:create`, `api:local`): audited
 * as `operator:<name>`, so that no write is attributed to nobody.
 */
export interface Operator {
  readonly kind: 'operator';
  /** Who ran the tool (their user name, or `BULWARK_OPERATOR`). */
  readonly name: string;
}

/** Names an operator may be audited under. */
export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Who did an audited write: exactly one of a key and a subject (a person, a
 * support person or an operator), and the support grant a support person acted under.
 */
export interface Actor {
  readonly keyId: string | null;
  readonly subject: string | null;
  readonly grantId: string | null;
}

/** The audit columns naming who acted. */
export const actorOf = (p: Principal | Operator): Actor => ({
  keyId: p.kind === 'key' ? p.keyId : null,
  subject: p.kind === 'key' ? null : p.kind === 'operator' ? `operator:${p.name}` : p.subject,
  grantId: p.kind === 'support' ? (p.grantId ?? null) : null,
});

/** Who gave or revoked a grant, as the API shows it: `key:<id>` or `person:<subject>`. */
export const actorName = (a: Pick<Actor, 'keyId' | 'subject'>): string =>
  a.keyId ? `key:${a.keyId}` : `person:${a.subject}`;

/** A customer's grant of support access to one space. */
export interface SupportGrant {
  readonly id: string;
  readonly spaceId: string;
  readonly reason: string;
  readonly role: Exclude<Role, 'admin'>;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly grantedBy: Pick<Actor, 'keyId' | 'subject'>;
  readonly revokedAt: string | null;
  readonly revokedBy: Pick<Actor, 'keyId' | 'subject'> | null;
  /** Requests admitted under it. */
  readonly uses: number;
  readonly lastUsedAt: string | null;
}

/** One audited write. */
export interface AuditRecord extends Actor {
  readonly at: string;
  readonly action: string;
  readonly target: string;
}

/** Position in a listing, carried by an opaque cursor. */
export interface EntryPosition {
  readonly createdAt: string;
  readonly id: string;
}
