import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from '../../shared/errors';

/** Bytes of a cursor's MAC: 128 bits, beyond guessing. */
const MAC_BYTES = 16;

/** The cursor key: derived from the pepper, so that no further secret is needed. */
export const cursorKey = (pepper: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), 'bulwark content-api cursor v1', 32));

const invalid = () => new BadRequestError('cursor is invalid', 'invalid_cursor');

/**
 * Opaque, tamper-proof listing cursors: `<position>.<mac>`, both base64url, where
 * the MAC (HMAC-SHA-256, truncated to 128 bits) covers what the cursor lists
 * (`kind`, e.g. `entries`), the space it lists and the position. A cursor is only
 * decoded when its MAC is right, so a crafted one is a 400 before any query runs,
 * and a cursor of one space or listing is refused by another.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  private mac(kind: string, space: string, payload: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`${kind}\n${space}\n${payload}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  /** A cursor for `position` in listing `kind` of `space`. */
  encode(kind: string, space: string, position: Record<string, string | number>): string {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${this.mac(kind, space, payload).toString('base64url')}`;
  }

  /**
   * The position of a cursor made by {@link encode} for the same listing and space;
   * `check` validates its shape. Anything else is a 400, never a 500.
   */
  decode<T>(kind: string, space: string, cursor: string, check: (v: unknown) => v is T): T {
    const m = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
    if (!m) throw invalid();
    const given = Buffer.from(m[2], 'base64url');
    const expected = this.mac(kind, space, m[1]);
    // Only the canonical spelling: a MAC's last character carries unused bits.
    if (given.length !== expected.length || given.toString('base64url') !== m[2]) throw invalid();
    if (!timingSafeEqual(given, expected)) throw invalid();
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!check(value)) throw invalid();
    return value;
  }
}
