import fc from 'fast-check';
import { clientErrorOf } from '../../../lambda/content-api/adapters/pg-errors';
import { cognitoPeople } from '../../../lambda/content-api/adapters/cognito-people';
import { MAX_JSON_DEPTH, isWellFormedText } from '../../../lambda/content-api/domain/input';
import { testUserPool } from '../../support/tokens';
import { ApiHarness } from './harness';

const pool = testUserPool();
let api: ApiHarness;
let admin: string;
let writer: string;
let entryId: string;

beforeAll(async () => {
  api = await ApiHarness.start(['alpha', 'beta'], 3600, { people: cognitoPeople(pool) });
  admin = (await api.key('alpha', 'admin')).key;
  writer = (await api.key('alpha', 'write')).key;
  entryId = (await api.entry('alpha', writer, 'fixture')).id;
});
afterAll(() => api.stop());
afterEach(() => {
  // Nothing refused here may reach the database as a data error (that would be
  // logged as input the boundary missed), and nothing may be a 500.
  expect(api.errors).toEqual([]);
});

const entries = '/v1/spaces/alpha/entries';
const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

/** Calls, and proves a refusal: the status, the error shape, and no change at all. */
async function refused(
  method: string,
  path: string,
  options: Parameters<ApiHarness['call']>[2],
  status = 400,
) {
  const before = await api.snapshot();
  const r = await api.call(method, path, options);
  expect({ status: r.status, body: r.body }).toEqual({ status, body: errorShape });
  expect(await api.snapshot()).toBe(before);
  return r;
}

// Strings no client can mean and PostgreSQL refuses: NUL, lone and reversed surrogates.
const high = fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c));
const low = fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c));
const illFormed = fc.oneof(
  fc.constant('\u0000'),
  high,
  low,
  fc.tuple(low, high).map(([l, h]) => l + h),
);
const poisoned = fc
  .tuple(fc.string({ maxLength: 8 }), illFormed, fc.string({ maxLength: 8 }))
  .map(([a, b, c]) => a + b + c);
/** Well-formed text of any code points, NUL excepted. */
const wellFormed = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\0'));

/** Puts `bad` at a place chosen by `where` in an otherwise valid body. */
function inject(where: number, bad: string, depth: number): Record<string, unknown> {
  let node: unknown = where % 2 === 0 ? bad : { [bad]: 1 };
  for (let i = 0; i < depth; i++) node = i % 2 ? [node] : { n: node };
  return { contentType: 'article', slug: `s${where}`, fields: { title: 'ok', deep: node } };
}

describe('ill-formed text anywhere in a body', () => {
  it.each([
    ['NUL in a field value', { contentType: 'article', slug: 'n1', fields: { t: 'a\u0000b' } }],
    ['NUL in a field key', { contentType: 'article', slug: 'n2', fields: { 'a\u0000': 1 } }],
    ['a lone high surrogate', { contentType: 'article', slug: 'n3', fields: { t: '\ud800' } }],
    ['a lone low surrogate', { contentType: 'article', slug: 'n4', fields: { t: 'x\udc00' } }],
    ['a reversed pair', { contentType: 'article', slug: 'n5', fields: { t: '\udc00\ud800' } }],
    ['a lone surrogate in a key', { contentType: 'article', slug: 'n6', fields: { '\udfff': 1 } }],
  ])('refuses %s on create (400, nothing stored)', async (_, body) => {
    const r = await refused('POST', entries, { key: writer, body });
    expect(r.body.error.code).toBe('invalid_text');
  });

  it('refuses NUL in a key name (400)', async () => {
    await refused('POST', '/v1/spaces/alpha/keys', {
      key: admin,
      body: { name: 'ci\u0000', role: 'read' },
    });
  });

  it('refuses it on update, whatever the place (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(20), poisoned, fc.nat(6), async (where, bad, depth) => {
        const { fields } = inject(where, bad, depth);
        const r = await refused('PUT', `${entries}/${entryId}`, {
          key: writer,
          body: { fields },
          headers: { 'If-Match': '1' },
        });
        expect(r.body.error.code).toBe('invalid_text');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses it on create, whatever the place (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(20), poisoned, fc.nat(6), async (where, bad, depth) => {
        await refused('POST', entries, { key: writer, body: inject(where, bad, depth) });
      }),
      { numRuns: 60 },
    );
  });

  it('stores well-formed text of any code points as sent (property)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(wellFormed, wellFormed, async (key, value) => {
        const r = await api.call('POST', entries, {
          key: writer,
          body: { contentType: 'article', slug: `wf-${n++}`, fields: { [`k${key}`]: value } },
        });
        expect(r.status).toBe(201);
        const back = await api.call('GET', `${entries}/${r.body.id}?preview=true`, { key: writer });
        expect(back.body.fields).toEqual({ [`k${key}`]: value });
      }),
      { numRuns: 40 },
    );
  });

  it('refuses ill-formed query values and path segments (400)', async () => {
    await refused('GET', `${entries}?contentType=${encodeURIComponent('a\u0000')}`, {
      key: writer,
    });
    await refused('GET', '/v1/spaces/alpha/entries', { key: writer, query: { x: '\ud800' } });
    await refused('GET', `${entries}/%00`, { key: writer });
  });

  it('agrees with String.prototype.isWellFormed on every string (property)', () => {
    const wf = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
    fc.assert(
      fc.property(fc.oneof(poisoned, wellFormed, fc.string({ unit: 'binary' })), (s) => {
        expect(isWellFormedText(s)).toBe(wf(s) && !s.includes('\0'));
      }),
    );
  });
});

describe('nesting', () => {
  /** A body nested `depth` levels deep in all (the body itself is level 1). */
  const nested = (depth: number, slug: string) =>
    `{"contentType":"article","slug":"${slug}","fields":${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}}`;

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1} (400)`, async () => {
    expect(
      (await api.call('POST', entries, { key: writer, raw: nested(64, 'deep-ok') })).status,
    ).toBe(201);
    const r = await refused('POST', entries, { key: writer, raw: nested(65, 'deep-no') });
    expect(r.body.error.code).toBe('too_deep');
  });

  it.each([1000, 5000, 100_000])('refuses %i levels without exhausting the stack', async (d) => {
    await refused('POST', entries, { key: writer, raw: nested(d, 'deeper') });
    await refused('PUT', `${entries}/${entryId}`, {
      key: writer,
      raw: `{"fields":${'['.repeat(d)}${']'.repeat(d)}}`,
      headers: { 'If-Match': '1' },
    });
  });
});

describe('If-Match beyond an entry version', () => {
  const methods: [string, string][] = [
    ['PUT', `${entries}/ID`],
    ['DELETE', `${entries}/ID`],
    ['POST', `${entries}/ID/publish`],
  ];
  const values = ['9999999999', '2147483648', '"2147483648"', 'W/"9999999999"', '0', '-1'];

  it.each(methods.flatMap(([m, p]) => values.map((v) => [m, p, v])))(
    '%s %s with If-Match %s is a 400',
    async (method, path, value) => {
      const r = await refused(method, path.replace('ID', entryId), {
        key: writer,
        body: method === 'PUT' ? { fields: {} } : undefined,
        headers: { 'If-Match': value },
      });
      expect(r.body.error.code).toBe('invalid_if_match');
    },
  );

  it.each(methods)('%s %s with the largest version is only stale (412)', async (method, path) => {
    await refused(
      method,
      path.replace('ID', entryId),
      {
        key: writer,
        body: method === 'PUT' ? { fields: {} } : undefined,
        headers: { 'If-Match': '2147483647' },
      },
      412,
    );
  });
});

describe('a person whose group names a space that does not exist', () => {
  const ghost = '/v1/spaces/ghost/entries';
  const token = () => pool.accessToken({ 'cognito:groups': ['space:ghost:write'] });

  it('gets a 404 for a write there, not a 500, and nothing is stored', async () => {
    const r = await refused(
      'POST',
      ghost,
      { key: token(), body: { contentType: 'article', slug: 'x', fields: {} } },
      404,
    );
    expect(r.body.error.code).toBe('not_found');
  });

  it('reads nothing there', async () => {
    const r = await api.call('GET', ghost, { key: token() });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
  });
});

describe('database errors below the boundary', () => {
  it.each([
    ["SELECT '9999999999'::int", 400],
    ['SELECT \'"a\\u0000"\'::jsonb', 400],
    ['SELECT \'"\\ud800"\'::jsonb', 400],
    ["SELECT '1'::timestamptz", 400],
    ["SELECT '------------------------------------'::uuid", 400],
    [
      "INSERT INTO entries (id, space_id, content_type, slug, fields, status, version, created_at, updated_at) VALUES (gen_random_uuid(), 'nope', 'a', 'b', '{}', 'draft', 1, now(), now())",
      404,
    ],
    ["INSERT INTO audit_log (space_id, at, action, target) VALUES ('alpha', now(), 'x', 'y')", 400],
  ])('maps %s to %i', async (sql, status) => {
    const err = await api.db.pool.query(sql).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(clientErrorOf(err)?.status).toBe(status);
  });

  it('leaves every other error to be a 500', async () => {
    const err = await api.db.pool.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(clientErrorOf(err)).toBeUndefined();
    expect(clientErrorOf(new Error('socket hang up'))).toBeUndefined();
  });
});
