import { createHash } from 'node:crypto';

/** CloudFront allows at most 15 wildcard paths in invalidations in progress at once. */
export const MAX_WILDCARD_PATHS = 15;
const PATH = /^\/v1\/spaces\/([a-z0-9][a-z0-9-]{0,63})\/[A-Za-z0-9/*._-]{0,1000}$/;

/** One queued request: the message id and its body. */
export interface InvalidationMessage {
  readonly id: string;
  readonly body: string;
}

/** What to invalidate for a batch, and which messages could not be read. */
export interface InvalidationPlan {
  readonly paths: string[];
  readonly callerReference: string;
  readonly rejected: string[];
}

/** Paths of one message, or undefined when it is not a valid request. */
function pathsOf(body: string): string[] | undefined {
  try {
    const value = JSON.parse(body) as { paths?: unknown };
    const paths = value.paths;
    if (!Array.isArray(paths) || paths.length === 0) return undefined;
    if (!paths.every((p): p is string => typeof p === 'string' && PATH.test(p))) return undefined;
    return paths;
  } catch {
    return undefined;
  }
}

/**
 * Turns a batch of queued requests into one invalidation within CloudFront's
 * limits: paths are deduplicated; past 15 they collapse to one wildcard per space,
 * and past 15 spaces to `/v1/*`. Unreadable messages are rejected (they go back to
 * the queue and end in its dead-letter queue). The caller reference is derived from
 * the messages, so a retried batch does not create a second invalidation.
 */
export function planInvalidation(messages: InvalidationMessage[]): InvalidationPlan {
  const rejected: string[] = [];
  const accepted: string[] = [];
  const paths = new Set<string>();
  for (const m of messages) {
    const p = pathsOf(m.body);
    if (!p) {
      rejected.push(m.id);
      continue;
    }
    accepted.push(m.id);
    p.forEach((x) => paths.add(x));
  }
  let planned = [...paths].sort();
  if (planned.length > MAX_WILDCARD_PATHS) {
    planned = [...new Set(planned.map((p) => `/v1/spaces/${PATH.exec(p)![1]}/*`))].sort();
  }
  if (planned.length > MAX_WILDCARD_PATHS) planned = ['/v1/*'];
  const callerReference = createHash('sha256')
    .update(accepted.sort().join(','))
    .digest('hex')
    .slice(0, 32);
  return { paths: planned, callerReference, rejected };
}
