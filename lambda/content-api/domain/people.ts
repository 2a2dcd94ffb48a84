import { type Role, roleIncludes } from './model';

/**
 * The user pool group of support engineers. Its members reach a space only under a
 * live grant of that space's admin; their `space:` groups are ignored, so that no
 * group ever gives support standing access (or lets them grant themselves access).
 */
export const SUPPORT_GROUP = 'support';

/** Groups that give a person a role in a space: `space:<space id>:<role>`. */
export const SPACE_GROUP = /^space:([a-z0-9][a-z0-9-]{0,63}):(read|write|admin)$/;

/**
 * A person's role per space from their user-pool groups: the strongest role a
 * group gives in each space. Other groups are ignored.
 */
export function rolesFromGroups(groups: readonly string[]): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const g of groups) {
    const m = SPACE_GROUP.exec(g);
    if (!m) continue;
    const [, space, role] = m as unknown as [string, string, Role];
    const held = roles.get(space);
    if (!held || !roleIncludes(held, role)) roles.set(space, role);
  }
  return roles;
}

/** What a verified access token says about the person. */
export interface PersonClaims {
  readonly subject: string;
  readonly groups: readonly string[];
}

/** Verifies people's access tokens; throws `UnauthorizedError` for any bad token. */
export interface PersonVerifier {
  verify(token: string): Promise<PersonClaims>;
}

/** Whether a bearer token has the shape of a JWT (three base64url parts). */
export const looksLikeJwt = (token: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

/** Who may manage keys: any admin, or (with `people`) only people with the admin role. */
export type KeyManagement = 'admins' | 'people';
