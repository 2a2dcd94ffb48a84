import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';

/** A user pool as tests see it: its ids and a signing key with its public JWKS. */
export interface TestUserPool {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
  /** The public JWKS the API is configured with. */
  readonly jwks: Jwks;
  /** Signs `claims` as an access token of this pool (overrides win). */
  accessToken(claims?: Record<string, unknown>, options?: SignOptions): string;
}

/** How a token is signed. */
export interface SignOptions {
  /** Another key (one the API does not know). */
  readonly key?: KeyObject;
  readonly kid?: string;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Signs a JWT with RS256, as Cognito does. */
export function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

/** A fresh RSA key pair. */
export const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A user pool with one signing key, for tests of people's sign-in. */
export function testUserPool(region = 'eu-west-1'): TestUserPool {
  const userPoolId = `${region}_TestPool1`;
  const clientId = '4tq5no7kbj4j2f9c2e2example';
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const { publicKey, privateKey } = rsaKey();
  const kid = 'test-key-1';
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return {
    userPoolId,
    clientId,
    issuer,
    jwks: { keys: [jwk] } as Jwks,
    accessToken(claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(
        { alg: 'RS256', kid: options.kid ?? kid },
        {
          sub: 'a1b2c3d4-0000-4000-8000-000000000001',
          iss: issuer,
          client_id: clientId,
          origin_jti: 'c0ffee00-1111-4222-8333-444455556666',
          event_id: 'e1e2e3e4-aaaa-4bbb-8ccc-dddddddddddd',
          token_use: 'access',
          scope: 'openid email profile',
          auth_time: now,
          iat: now,
          exp: now + 900,
          jti: 'f0f1f2f3-5555-4666-8777-888899990000',
          username: 'editor@example.com',
          ...claims,
        },
        options.key ?? privateKey,
      );
    },
  };
}
