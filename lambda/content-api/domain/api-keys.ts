import { createHmac, randomBytes } from 'node:crypto';

/** Prefix that makes Bulwark keys recognisable in logs and secret scanners. */
export const KEY_PREFIX = 'bwk_';
const KEY_PATTERN = /^bwk_[A-Za-z0-9_-]{43}$/;

/** A new key: 256 random bits. Shown once; only its hash is stored. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** Whether a bearer token has the shape of a Bulwark key (cheap pre-check). */
export const looksLikeKey = (token: string): boolean => KEY_PATTERN.test(token);

/**
 * Keyed hash of an API key (HMAC-SHA-256 with a server-side pepper). Keys are
 * high-entropy random tokens, so a fast keyed hash is enough; the pepper keeps a
 * stolen table of hashes useless without the secret. Keys are found by their hash
 * (a unique index lookup), so no secret is ever compared byte by byte in code.
 */
export function hashKey(key: string, pepper: Buffer): Buffer {
  return createHmac('sha256', pepper).update(key).digest();
}
