import { DatabaseError } from 'pg';
import { type ApiError, BadRequestError, ConflictError, NotFoundError } from '../../shared/errors';

/**
 * The client error a PostgreSQL error stands for, or undefined when it is the
 * server's own fault. Input is validated before any statement runs; this is the
 * last line, so that a value the checks missed is still a 4xx, never a 500:
 * SQLSTATE class 22 (data exception: out of range, invalid text, bad timestamp),
 * 23503 (a row naming a space that does not exist: a person's group may name any
 * space), 23514 (a check constraint) and 23505 (a unique value taken).
 */
export function clientErrorOf(err: unknown): ApiError | undefined {
  if (!(err instanceof DatabaseError) || !err.code) return undefined;
  const { code, constraint } = err;
  // A data exception or check violation means the boundary let a bad value through:
  // still the client's 400, and logged so that the boundary gets fixed.
  const missed = (e: ApiError) => Object.assign(e, { internal: { sqlstate: code, constraint } });
  if (code.startsWith('22')) {
    return missed(new BadRequestError('A value in the request is out of range or not valid'));
  }
  if (code === '23503') {
    return /space_id_fkey$/.test(constraint ?? '')
      ? new NotFoundError('No such space')
      : new ConflictError('The request names something that does not exist');
  }
  if (code === '23514') return missed(new BadRequestError('A value in the request is not allowed'));
  if (code === '23505') return new ConflictError('A value in the request is already taken');
  return undefined;
}
