import fc from 'fast-check';
import { CursorCodec, cursorKey } from '../../../lambda/content-api/domain/cursor';
import { generateKey } from '../../../lambda/content-api/domain/api-keys';
import { ApiHarness } from './harness';

let api: ApiHarness;
let reader: string;
let betaReader: string;
let admin: string;
let cursor: string;
let auditCursor: string;

const entries = '/v1/spaces/alpha/entries';

beforeAll(async () => {
  api = await ApiHarness.start(['alpha', 'beta']);
  admin = (await api.key('alpha', 'admin')).key;
  reader = (await api.key('alpha', 'read')).key;
  betaReader = (await api.key('beta', 'read')).key;
  for (let i = 0; i < 3; i++) {
    api.tick(1);
    const e = await api.entry('alpha', admin, `c-${i}`);
    await api.call('POST', `${entries}/${e.id}/publish`, { key: admin });
  }
  cursor = (await api.call('GET', entries, { key: reader, query: { limit: '1' } })).body.nextCursor;
  auditCursor = (await api.call('GET', '/v1/spaces/alpha/audit-log?limit=1', { key: admin })).body
    .nextCursor;
});
afterAll(() => api.stop());

const unsigned = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url');
const signedWith = (key: Buffer, space: string, position: Record<string, string | number>) =>
  new CursorCodec(key).encode('entries', space, position);

/** Calls a listing with `cursor` and counts the statements the database ran. */
async function list(c: string, key: string, path = entries) {
  const spy = jest.spyOn(api.db.pool, 'query');
  try {
    const r = await api.call('GET', path, { key, query: { cursor: c } });
    return { status: r.status, code: r.body?.error?.code, queries: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe('listing cursors', () => {
  it('continue a listing when they are the API’s own', async () => {
    const r = await api.call('GET', entries, { key: reader, query: { cursor, limit: '1' } });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
  });

  it.each([
    ['a timestamp of "1"', unsigned({ c: '1', i: '00000000-0000-4000-8000-000000000000' })],
    ['an id of 36 dashes', unsigned({ c: '2026-11-01T12:00:00.000Z', i: '-'.repeat(36) })],
    [
      'a well-formed position without a MAC',
      unsigned({ c: '2026-11-01T12:00:00.000Z', i: '00000000-0000-4000-8000-000000000000' }),
    ],
    [
      'a MAC from another key',
      signedWith(cursorKey(Buffer.from('other-pepper')), 'alpha', {
        c: '2026-11-01T12:00:00.000Z',
        i: '00000000-0000-4000-8000-000000000000',
      }),
    ],
    ['an empty MAC', `${unsigned({ c: '1', i: '1' })}.`],
    ['only a MAC', '.AAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuse %s with 400 before any query, whatever the key', async (_, forged) => {
    for (const key of [reader, generateKey()]) {
      expect(await list(forged, key)).toEqual({ status: 400, code: 'invalid_cursor', queries: 0 });
    }
  });

  it('refuse a cursor of another space, and the audit log’s cursor, with 400', async () => {
    expect(await list(cursor, betaReader, '/v1/spaces/beta/entries')).toEqual({
      status: 400,
      code: 'invalid_cursor',
      queries: 0,
    });
    expect((await list(auditCursor, reader)).status).toBe(400);
    expect((await list(cursor, admin, '/v1/spaces/alpha/audit-log')).status).toBe(400);
  });

  it('refuse any change to a cursor (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(cursor.length - 1),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
        async (at, ch) => {
          fc.pre(cursor[at] !== ch);
          const changed = cursor.slice(0, at) + ch + cursor.slice(at + 1);
          expect(await list(changed, reader)).toEqual({
            status: 400,
            code: 'invalid_cursor',
            queries: 0,
          });
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuse arbitrary strings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), async (s) => {
        fc.pre(s !== cursor && s !== '');
        const r = await list(s, generateKey());
        expect(r.status).toBe(400);
        expect(r.queries).toBe(0);
      }),
      { numRuns: 80 },
    );
  });

  it('are refused from the audit log the same way', async () => {
    const forged = unsigned({ b: 1 });
    const r = await api.call('GET', '/v1/spaces/alpha/audit-log', {
      key: admin,
      query: { cursor: forged },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_cursor');
  });
});
