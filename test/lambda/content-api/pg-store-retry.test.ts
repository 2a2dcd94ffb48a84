import type { Pool } from 'pg';
import { PgContentStore, isConnectionError } from '../../../lambda/content-api/adapters/pg-store';
import { createTestDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ spaces: ['alpha'] });
});
afterAll(() => db.drop());

const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
  code: '57P01',
});

/** The real pool, but the first `failures` calls of `method` fail with `error`. */
function flaky(
  method: 'query' | 'connect',
  failures: number,
  error: Error,
): { pool: Pool; calls: () => number } {
  let calls = 0;
  const pool = new Proxy(db.pool, {
    get(target, prop, receiver) {
      if (prop !== method) return Reflect.get(target, prop, receiver);
      return async (...args: unknown[]) => {
        calls++;
        if (method === 'connect') {
          const client = await target.connect();
          if (calls <= failures) {
            return new Proxy(client, {
              get: (c, p) => {
                if (p === 'query') return async () => Promise.reject(error);
                const v = Reflect.get(c, p);
                return typeof v === 'function' ? v.bind(c) : v;
              },
            });
          }
          return client;
        }
        if (calls <= failures) throw error;
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { pool, calls: () => calls };
}

describe('PgContentStore on a lost connection', () => {
  it('classifies connection errors, and only those', () => {
    expect(isConnectionError(terminated)).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(
      false,
    );
    expect(isConnectionError(undefined)).toBe(false);
  });

  it('retries a read once on a fresh connection', async () => {
    const { pool, calls } = flaky('query', 1, terminated);
    const store = new PgContentStore(pool);
    await expect(store.listKeys('alpha')).resolves.toEqual([]);
    expect(calls()).toBe(2);
  });

  it('gives up after the second failure', async () => {
    const { pool, calls } = flaky('query', 2, terminated);
    await expect(new PgContentStore(pool).listKeys('alpha')).rejects.toThrow(
      'terminating connection',
    );
    expect(calls()).toBe(2);
  });

  it('does not retry a statement error', async () => {
    const failure = Object.assign(new Error('syntax error'), { code: '42601' });
    const { pool, calls } = flaky('query', 1, failure);
    await expect(new PgContentStore(pool).listKeys('alpha')).rejects.toThrow('syntax error');
    expect(calls()).toBe(1);
  });

  it('retries a transaction whose connection fails before any write', async () => {
    const { pool, calls } = flaky('connect', 1, terminated);
    const store = new PgContentStore(pool);
    const at = new Date().toISOString();
    await store.transaction((tx) =>
      tx.audit('alpha', {
        at,
        keyId: null,
        subject: 'operator:test',
        grantId: null,
        action: 'test.retry',
        target: 'x',
      }),
    );
    expect(calls()).toBe(2);
    const rows = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.retry'",
    );
    expect(rows.rows[0].n).toBe(1);
  });
});
