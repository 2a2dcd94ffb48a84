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

/** Who is calling. */
export type Principal = KeyPrincipal | PersonPrincipal;

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

/** Who did an audited write: exactly one of a key and a subject (a person or an operator). */
export interface Actor {
  readonly keyId: string | null;
  readonly subject: string | null;
}

/** The audit columns naming who acted. */
export const actorOf = (p: Principal | Operator): Actor => ({
  keyId: p.kind === 'key' ? p.keyId : null,
  subject: p.kind === 'person' ? p.subject : p.kind === 'operator' ? `operator:${p.name}` : null,
});

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
