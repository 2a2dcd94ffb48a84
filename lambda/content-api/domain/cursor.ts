import { BadRequestError } from '../../shared/errors';

/** Encodes a listing position as an opaque, URL-safe cursor. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}; `check` validates its shape.
 * Anything else is a 400, never a 500.
 */
export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through
  }
  throw new BadRequestError('cursor is invalid', 'invalid_cursor');
}
