import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { UnauthorizedError } from '../../shared/errors';
import type { PersonClaims, PersonVerifier } from '../domain/people';

/** The user pool whose access tokens the API accepts. */
export interface UserPoolTokens {
  readonly userPoolId: string;
  /** The CMS front end's app client: tokens of other clients are refused. */
  readonly clientId: string;
  /** The pool's signing keys (its public JWKS), provided at deploy time. */
  readonly jwks: Jwks;
}

/**
 * Verifies user-pool access tokens offline with aws-jwt-verify: signature against
 * the pool's keys, issuer, `token_use: access`, `client_id` and expiry. The API
 * runs in isolated subnets, so the keys come with its configuration and the
 * verifier never fetches: a token signed with an unknown key is refused at once.
 */
export function cognitoPeople(pool: UserPoolTokens): PersonVerifier {
  const offline = new SimpleJwksCache({
    fetcher: {
      fetch: () => Promise.reject(new Error('The API verifies tokens offline')),
    },
  });
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: pool.userPoolId, tokenUse: 'access', clientId: pool.clientId },
    { jwksCache: offline },
  );
  verifier.cacheJwks(pool.jwks);
  return {
    async verify(token: string): Promise<PersonClaims> {
      const refused = () => new UnauthorizedError('A valid access token is required');
      let payload;
      try {
        payload = await verifier.verify(token);
      } catch {
        throw refused();
      }
      // A token that never expires, or names nobody, is refused even when signed.
      if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw refused();
      if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw refused();
      const groups = payload['cognito:groups'];
      return {
        subject: payload.sub,
        groups: Array.isArray(groups) ? groups.filter((g) => typeof g === 'string') : [],
      };
    },
  };
}
