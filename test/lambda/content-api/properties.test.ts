import fc from 'fast-check';
import { ApiHarness } from './harness';

let api: ApiHarness;
let admin: string;
let entryId: string;

beforeAll(async () => {
  api = await ApiHarness.start(['alpha']);
  admin = (await api.key('alpha', 'admin')).key;
  entryId = (await api.entry('alpha', admin, 'fixture')).id;
});
afterAll(() => api.stop());

const segment = fc.oneof(
  fc.constantFrom(
    'alpha',
    'beta',
    'ALPHA',
    '-x',
    'a'.repeat(70),
    '%',
    '%zz',
    '..',
    '',
    ' ',
    'é',
    '00000000-0000-4000-8000-000000000000',
  ),
  fc.string({ maxLength: 40 }),
);
const path = fc.oneof(
  fc.tuple(segment).map(([s]) => `/v1/spaces/${s}/entries`),
  fc.tuple(segment, segment).map(([s, id]) => `/v1/spaces/${s}/entries/${id}`),
  fc.tuple(segment).map(([id]) => `/v1/spaces/alpha/entries/${id}`),
  fc.constant('/v1/spaces/alpha/entries/ENTRY'),
  fc.constant('/v1/spaces/alpha/entries/ENTRY/publish'),
  fc.tuple(segment).map(([k]) => `/v1/spaces/alpha/keys/${k}/rotate`),
  fc.tuple(segment).map(([k]) => `/v1/spaces/alpha/keys/${k}`),
  fc.constantFrom('/v1/spaces/alpha/keys', '/v1/spaces/alpha/audit-log', '/health', '/', '/v1'),
  fc.string({ maxLength: 60 }).map((s) => `/${s}`),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc
    .record({
      contentType: fc.oneof(fc.constant('article'), fc.string({ maxLength: 10 })),
      slug: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), fc.string({ maxLength: 10 })),
      fields: fc.oneof(fc.object({ maxDepth: 2 }), fc.anything()),
    })
    .map((o) => JSON.stringify(o)),
  fc.record({ name: fc.string(), role: fc.string() }).map((o) => JSON.stringify(o)),
  fc.constant(
    JSON.stringify({ contentType: 'article', slug: 'big', fields: { x: 'y'.repeat(1024 * 1024) } }),
  ),
);
const headers = fc.record(
  {
    authorization: fc.oneof(
      fc.constant('ADMIN'),
      fc.string({ maxLength: 60 }),
      fc.constant('Bearer bwk_short'),
    ),
    'content-type': fc.oneof(
      fc.constant('application/json'),
      fc.constant('application/json; charset=utf-8'),
      fc.string({ maxLength: 30 }),
    ),
    'if-match': fc.oneof(
      fc.constant('1'),
      fc.constant('"1"'),
      fc.string({ maxLength: 12 }),
      fc.integer().map(String),
    ),
  },
  { requiredKeys: [] },
);
const query = fc.dictionary(
  fc.constantFrom('limit', 'cursor', 'contentType', 'preview', 'x'),
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.integer().map(String),
    fc.constantFrom('true', 'false', '0', '100', '101'),
  ),
);

describe('the handler under arbitrary input', () => {
  it('never answers 5xx, always uses the error shape, and changes nothing when it rejects', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
        path,
        body,
        headers,
        query,
        async (method, p, b, h, q) => {
          const before = await api.snapshot();
          const hdrs = { ...h };
          if (hdrs.authorization === 'ADMIN') hdrs.authorization = `Bearer ${admin}`;
          const res = await api.call(method, p.replace('ENTRY', entryId), {
            raw: typeof b === 'string' ? b : undefined,
            headers: hdrs,
            query: q,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body).toEqual({
              error: { code: expect.any(String), message: expect.any(String) },
            });
            expect(await api.snapshot()).toBe(before);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(api.errors).toEqual([]);
  });
});
