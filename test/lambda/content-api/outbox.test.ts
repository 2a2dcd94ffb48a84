import {
  MAX_BACKOFF_SECONDS,
  backoffSeconds,
  drainOutbox,
} from '../../../lambda/content-api/adapters/pg-outbox';
import { ensureOutboxRole } from '../../../lambda/shared/content-schema/migrate';
import type { Invalidator } from '../../../lambda/content-api/domain/store';
import { ApiHarness } from './harness';

let api: ApiHarness;
let writer: string;
const entries = '/v1/spaces/alpha/entries';

beforeAll(async () => {
  api = await ApiHarness.start(['alpha']);
  writer = (await api.key('alpha', 'write')).key;
});
afterAll(() => api.stop());
afterEach(async () => {
  api.queue = 'up';
  await api.db.pool.query('DELETE FROM invalidation_outbox');
  api.invalidations.length = 0;
  api.deferred.length = 0;
});

const outbox = async () =>
  (
    await api.db.pool.query(
      'SELECT paths, attempts, last_error, next_attempt_at FROM invalidation_outbox ORDER BY id',
    )
  ).rows;

/** A queue that records what it is sent, or fails while `down`. */
const queue = () => {
  const sent: string[][] = [];
  const q = {
    down: false,
    sent,
    invalidate: async (paths: string[]) => {
      if (q.down) throw new Error('SQS unreachable');
      sent.push(paths);
    },
  };
  return q as typeof q & Invalidator;
};

async function published(slug: string) {
  const e = await api.entry('alpha', writer, slug);
  const r = await api.call('POST', `${entries}/${e.id}/publish`, { key: writer });
  return { id: e.id as string, status: r.status };
}

describe('a committed write whose invalidation cannot be queued', () => {
  it.each(['failing', 'hanging'] as const)(
    'answers 2xx when the queue is %s, and leaves the invalidation in the outbox',
    async (state) => {
      api.queue = state;
      const { id, status } = await published(`q-${state}`);
      expect(status).toBe(200);
      const del = await api.call('DELETE', `${entries}/${id}`, { key: writer });
      expect(del.status).toBe(204);
      expect(api.invalidations).toEqual([]);
      expect(api.deferred).toHaveLength(2);
      const rows = await outbox();
      expect(rows.map((r) => r.paths)).toEqual([
        [`/v1/spaces/alpha/entries/${id}*`, '/v1/spaces/alpha/entries*'],
        [`/v1/spaces/alpha/entries/${id}*`, '/v1/spaces/alpha/entries*'],
      ]);
      const log = await api.call('GET', '/v1/spaces/alpha/audit-log?limit=3', {
        key: (await api.key('alpha', 'admin')).key,
      });
      expect(log.body.items.map((i: { action: string }) => i.action)).toContain('entry.delete');
    },
  );

  it('is queued at once, and leaves nothing behind, when the queue answers', async () => {
    const { id } = await published('q-up');
    expect(api.invalidations).toEqual([
      [`/v1/spaces/alpha/entries/${id}*`, '/v1/spaces/alpha/entries*'],
    ]);
    expect(await outbox()).toEqual([]);
  });

  it('records nothing for a write that fails', async () => {
    const { id } = await published('q-stale');
    api.invalidations.length = 0;
    const r = await api.call('PUT', `${entries}/${id}`, {
      key: writer,
      body: { fields: {} },
      headers: { 'If-Match': '1' },
    });
    expect(r.status).toBe(412);
    expect(await outbox()).toEqual([]);
    expect(api.invalidations).toEqual([]);
  });

  it('records nothing for a draft (nothing cached)', async () => {
    api.queue = 'failing';
    await api.entry('alpha', writer, 'q-draft');
    expect(await outbox()).toEqual([]);
  });
});

describe('the outbox drainer', () => {
  it('sends what the outbox holds, oldest first, and empties it', async () => {
    api.queue = 'failing';
    const a = await published('d-a');
    const b = await published('d-b');
    const q = queue();
    const now = () => new Date(api.now.getTime() + 60_000);
    const result = await drainOutbox(api.db.pool, q, { now, batch: 1 });
    expect(result).toEqual({ sent: 2, failed: 0, pending: 0, oldestAgeSeconds: 0 });
    expect(q.sent.map((p) => p[0])).toEqual([
      `/v1/spaces/alpha/entries/${a.id}*`,
      `/v1/spaces/alpha/entries/${b.id}*`,
    ]);
    expect(await outbox()).toEqual([]);
  });

  it('keeps what it cannot send, with the error and a growing back-off, and reports its age', async () => {
    api.queue = 'failing';
    await published('d-stuck');
    const q = queue();
    q.down = true;
    let t = api.now.getTime();
    const first = await drainOutbox(api.db.pool, q, { now: () => new Date(t) });
    expect(first).toEqual({ sent: 0, failed: 1, pending: 1, oldestAgeSeconds: 0 });
    let [row] = await outbox();
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBe('SQS unreachable');
    expect(row.next_attempt_at.getTime()).toBe(t + backoffSeconds(1) * 1000);
    // Not due yet: not tried again.
    expect((await drainOutbox(api.db.pool, q, { now: () => new Date(t) })).failed).toBe(0);
    t += 10 * 60_000;
    const later = await drainOutbox(api.db.pool, q, { now: () => new Date(t) });
    expect(later).toEqual({ sent: 0, failed: 1, pending: 1, oldestAgeSeconds: 600 });
    [row] = await outbox();
    expect(row.attempts).toBe(2);
    q.down = false;
    t += 60 * 60_000;
    expect(await drainOutbox(api.db.pool, q, { now: () => new Date(t) })).toMatchObject({
      sent: 1,
      pending: 0,
    });
  });

  it('stops at the first failed send, leaving the rest untouched for the next run', async () => {
    api.queue = 'failing';
    await published('d-down-1');
    await published('d-down-2');
    const q = queue();
    q.down = true;
    const r = await drainOutbox(api.db.pool, q, { now: () => new Date(api.now.getTime() + 1000) });
    expect(r).toMatchObject({ sent: 0, failed: 1, pending: 2 });
    expect((await outbox()).map((row) => row.attempts)).toEqual([1, 0]);
  });

  it('backs off exponentially up to a limit', () => {
    expect([1, 2, 3, 10, 100].map(backoffSeconds)).toEqual([
      2,
      4,
      8,
      MAX_BACKOFF_SECONDS,
      MAX_BACKOFF_SECONDS,
    ]);
  });

  it('never sends a row that another drain holds', async () => {
    api.queue = 'failing';
    await published('d-held');
    const holder = await api.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM invalidation_outbox FOR UPDATE');
      const q = queue();
      const r = await drainOutbox(api.db.pool, q, {
        now: () => new Date(api.now.getTime() + 1000),
      });
      expect(r.sent).toBe(0);
      expect(q.sent).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  it('connects as a role that may touch the outbox and nothing else', async () => {
    const role = `outbox_${Date.now().toString(36)}`;
    await ensureOutboxRole(api.db.pool, role);
    await ensureOutboxRole(api.db.pool, role); // idempotent
    const client = await api.db.pool.connect();
    try {
      await client.query(`SET ROLE ${role}`);
      await client.query('SELECT count(*) FROM invalidation_outbox');
      await client.query('UPDATE invalidation_outbox SET attempts = attempts WHERE false');
      await client.query('DELETE FROM invalidation_outbox WHERE false');
      for (const sql of [
        'SELECT 1 FROM entries',
        'SELECT 1 FROM api_keys',
        'SELECT 1 FROM audit_log',
        "INSERT INTO invalidation_outbox (space_id, paths, created_at, next_attempt_at) VALUES ('alpha', '{x}', now(), now())",
      ]) {
        await expect(client.query(sql)).rejects.toThrow(/permission denied/);
      }
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  });
});
