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

/** Who is calling: the key that authenticated the request. */
export interface Principal {
  readonly keyId: string;
  readonly spaceId: string;
  readonly role: Role;
}

/** One audited write. */
export interface AuditRecord {
  readonly at: string;
  readonly keyId: string | null;
  readonly action: string;
  readonly target: string;
}

/** Position in a listing, carried by an opaque cursor. */
export interface EntryPosition {
  readonly createdAt: string;
  readonly id: string;
}
