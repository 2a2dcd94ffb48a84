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

/** Who did an audited write: a key, a person, or neither (bootstrap by `space:create`). */
export interface Actor {
  readonly keyId: string | null;
  readonly subject: string | null;
}

/** The audit columns naming the principal (or nobody, for a bootstrap write). */
export const actorOf = (p: Principal | null): Actor => ({
  keyId: p?.kind === 'key' ? p.keyId : null,
  subject: p?.kind === 'person' ? p.subject : null,
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
