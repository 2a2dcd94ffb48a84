import type { Pool } from 'pg';
import type { Invalidator } from '../domain/store';

/** What one drain did, and what is left. */
export interface DrainResult {
  /** Invalidations queued and removed from the outbox. */
  readonly sent: number;
  /** Invalidations whose send failed (kept, retried later with back-off). */
  readonly failed: number;
  /** Invalidations still in the outbox afterwards. */
  readonly pending: number;
  /** Age of the oldest invalidation still in the outbox, in seconds (0 when empty). */
  readonly oldestAgeSeconds: number;
}

/** Options of {@link drainOutbox}. */
export interface DrainOptions {
  /** Current time (injectable for tests). */
  readonly now: () => Date;
  /**
   * Invalidations claimed per transaction.
   * @default 50
   */
  readonly batch?: number;
  /**
   * Stop claiming more after this long, in milliseconds (the rest wait for the next run).
   * @default 30000
   */
  readonly budgetMs?: number;
}

/** Longest wait before an invalidation is tried again, in seconds. */
export const MAX_BACKOFF_SECONDS = 900;

/** Seconds to wait after the `attempts`-th failure: 2, 4, 8, ... up to 15 minutes. */
export const backoffSeconds = (attempts: number) =>
  Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(attempts, 20));

/**
 * Sends the invalidations in the outbox that are due, oldest first, in batches
 * claimed with `FOR UPDATE SKIP LOCKED` (so concurrent drains, and the API's own
 * delivery, never send the same row at the same time or wait on each other). A
 * sent row is removed; a failed one keeps its place, counts the attempt, records
 * the error and waits with exponential back-off, and ends the drain (the queue is
 * failing: the next run tries again); a drain also stops claiming at its time budget,
 * so it ends within the function's timeout. Sending is at least once:
 * invalidating a path twice is harmless.
 */
export async function drainOutbox(
  pool: Pool,
  invalidator: Invalidator,
  options: DrainOptions,
): Promise<DrainResult> {
  const batch = options.batch ?? 50;
  const deadline = Date.now() + (options.budgetMs ?? 30_000);
  let sent = 0;
  let failed = 0;
  // The first failed send ends the drain: while the queue is unreachable each send
  // would wait for its timeout, and the rest are left as they are for the next run.
  let queueFailing = false;
  for (;;) {
    const client = await pool.connect();
    let claimed = 0;
    try {
      await client.query('BEGIN');
      const now = options.now();
      const rows = await client.query<{ id: string; paths: string[]; attempts: number }>(
        `SELECT id, paths, attempts FROM invalidation_outbox
         WHERE next_attempt_at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now.toISOString(), batch],
      );
      claimed = rows.rowCount ?? 0;
      const done: string[] = [];
      for (const row of rows.rows) {
        if (queueFailing || Date.now() >= deadline) break;
        try {
          await invalidator.invalidate(row.paths);
          done.push(row.id);
        } catch (err) {
          failed++;
          queueFailing = true;
          const retryAt = new Date(now.getTime() + backoffSeconds(row.attempts + 1) * 1000);
          await client.query(
            `UPDATE invalidation_outbox
             SET attempts = attempts + 1, last_error = left($2, 500), next_attempt_at = $3
             WHERE id = $1`,
            [row.id, String((err as Error)?.message ?? err), retryAt.toISOString()],
          );
        }
      }
      if (done.length) {
        await client.query('DELETE FROM invalidation_outbox WHERE id = ANY($1::bigint[])', [done]);
      }
      await client.query('COMMIT');
      sent += done.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    if (queueFailing || claimed < batch || Date.now() >= deadline) break;
  }
  const left = await pool.query<{ n: string; oldest: Date | null }>(
    'SELECT count(*) AS n, min(created_at) AS oldest FROM invalidation_outbox',
  );
  const oldest = left.rows[0].oldest;
  return {
    sent,
    failed,
    pending: Number(left.rows[0].n),
    oldestAgeSeconds: oldest
      ? Math.max(0, Math.round((options.now().getTime() - oldest.getTime()) / 1000))
      : 0,
  };
}
