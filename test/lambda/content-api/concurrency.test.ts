import { ApiHarness } from './harness';

let api: ApiHarness;
let writer: string;

beforeAll(async () => {
  api = await ApiHarness.start(['alpha']);
  writer = (await api.key('alpha', 'write')).key;
});
afterAll(() => api.stop());

describe('concurrent writers', () => {
  it.each(Array.from({ length: 10 }, (_, i) => i))(
    'lets exactly one of two updates with the same If-Match win (round %i)',
    async (round) => {
      const e = await api.entry('alpha', writer, `race-${round}`);
      const update = (value: string) =>
        api.call('PUT', `/v1/spaces/alpha/entries/${e.id}`, {
          key: writer,
          body: { fields: { winner: value } },
          headers: { 'If-Match': '1' },
        });
      const results = await Promise.all([update('a'), update('b')]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
      const winner = results.find((r) => r.status === 200)!.body.fields.winner;
      const stored = await api.db.pool.query('SELECT version, fields FROM entries WHERE id = $1', [
        e.id,
      ]);
      expect(stored.rows[0]).toEqual({ version: 2, fields: { winner } });
      const audits = await api.db.pool.query(
        "SELECT count(*)::int AS n FROM audit_log WHERE target = $1 AND action = 'entry.update'",
        [`entries/${e.id}`],
      );
      expect(audits.rows[0].n).toBe(1);
    },
  );

  it('keeps slugs unique when two creates race', async () => {
    const create = () =>
      api.call('POST', '/v1/spaces/alpha/entries', {
        key: writer,
        body: { contentType: 'article', slug: 'same-slug', fields: {} },
      });
    const results = await Promise.all([create(), create(), create()]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });
});
