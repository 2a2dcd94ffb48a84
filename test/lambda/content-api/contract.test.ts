import { ApiHarness } from './harness';

let api: ApiHarness;
let admin: string;
let writer: string;
let reader: string;

beforeAll(async () => {
  api = await ApiHarness.start();
  admin = (await api.key('alpha', 'admin')).key;
  writer = (await api.key('alpha', 'write')).key;
  reader = (await api.key('alpha', 'read')).key;
});
afterAll(() => api.stop());

const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} without a key and reveals nothing else', async () => {
    const r = await api.call('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    expect(Object.keys(r.headers)).not.toContain('Server');
  });
});

describe('entries', () => {
  it('creates a draft with version 1 and a Location header (201)', async () => {
    const r = await api.call('POST', '/v1/spaces/alpha/entries', {
      key: writer,
      body: { contentType: 'article', slug: 'hello', fields: { title: 'Hello', n: 1 } },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      contentType: 'article',
      slug: 'hello',
      fields: { title: 'Hello', n: 1 },
      status: 'draft',
      version: 1,
      createdAt: api.now.toISOString(),
      updatedAt: api.now.toISOString(),
      publishedAt: null,
    });
    expect(r.headers.Location).toBe(`/v1/spaces/alpha/entries/${r.body.id}`);
    expect(r.headers['Cache-Control']).toBe('no-store');
  });

  it('hides drafts from reads unless previewed by a write key', async () => {
    const e = await api.entry('alpha', writer, 'draft-only');
    expect(
      (await api.call('GET', `/v1/spaces/alpha/entries/${e.id}`, { key: reader })).status,
    ).toBe(404);
    expect(
      (await api.call('GET', `/v1/spaces/alpha/entries/${e.id}`, { key: writer })).status,
    ).toBe(404);
    const preview = await api.call('GET', `/v1/spaces/alpha/entries/${e.id}?preview=true`, {
      key: writer,
    });
    expect(preview.status).toBe(200);
    expect(preview.headers['Cache-Control']).toBe('no-store');
    expect(
      (await api.call('GET', `/v1/spaces/alpha/entries/${e.id}?preview=true`, { key: reader }))
        .status,
    ).toBe(403);
  });

  it('publishes (200, version + 1, publishedAt) and serves it cacheably with an ETag', async () => {
    const e = await api.entry('alpha', writer, 'to-publish');
    api.tick(5);
    const p = await api.call('POST', `/v1/spaces/alpha/entries/${e.id}/publish`, { key: writer });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      status: 'published',
      version: 2,
      publishedAt: api.now.toISOString(),
    });
    const g = await api.call('GET', `/v1/spaces/alpha/entries/${e.id}`, { key: reader });
    expect(g.status).toBe(200);
    expect(g.headers['Cache-Control']).toBe(
      'public, max-age=60, stale-while-revalidate=60, stale-if-error=86400',
    );
    expect(g.headers.ETag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(g.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(g.headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(api.invalidations).toContainEqual([
      `/v1/spaces/alpha/entries/${e.id}*`,
      '/v1/spaces/alpha/entries*',
    ]);
  });

  it('updates with If-Match (200, version + 1), 428 without it, 412 when stale', async () => {
    const e = await api.entry('alpha', writer, 'to-update');
    const path = `/v1/spaces/alpha/entries/${e.id}`;
    expect((await api.call('PUT', path, { key: writer, body: { fields: { a: 1 } } })).status).toBe(
      428,
    );
    const ok = await api.call('PUT', path, {
      key: writer,
      body: { fields: { a: 1 } },
      headers: { 'If-Match': '1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ version: 2, fields: { a: 1 }, slug: 'to-update' });
    const stale = await api.call('PUT', path, {
      key: writer,
      body: { slug: 'x' },
      headers: { 'If-Match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual(errorShape);
    const quoted = await api.call('PUT', path, {
      key: writer,
      body: { slug: 'renamed' },
      headers: { 'If-Match': '"2"' },
    });
    expect(quoted.body).toMatchObject({ version: 3, slug: 'renamed' });
  });

  it('deletes (204), honours a stale If-Match with 412, and frees the slug', async () => {
    const e = await api.entry('alpha', writer, 'to-delete');
    const path = `/v1/spaces/alpha/entries/${e.id}`;
    expect(
      (await api.call('DELETE', path, { key: writer, headers: { 'If-Match': '7' } })).status,
    ).toBe(412);
    const d = await api.call('DELETE', path, { key: writer });
    expect(d.status).toBe(204);
    expect(d.body).toBeUndefined();
    expect((await api.call('DELETE', path, { key: writer })).status).toBe(404);
    await api.entry('alpha', writer, 'to-delete');
  });

  it('rejects a slug clash per space and content type with 409', async () => {
    await api.entry('alpha', writer, 'unique');
    const r = await api.call('POST', '/v1/spaces/alpha/entries', {
      key: writer,
      body: { contentType: 'article', slug: 'unique', fields: {} },
    });
    expect(r.status).toBe(409);
    const other = await api.call('POST', '/v1/spaces/alpha/entries', {
      key: writer,
      body: { contentType: 'page', slug: 'unique', fields: {} },
    });
    expect(other.status).toBe(201);
  });

  it('lists published entries in a stable order with an opaque cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      api.tick(1);
      const e = await api.entry('alpha', writer, `list-${i}`, { i });
      await api.call('POST', `/v1/spaces/alpha/entries/${e.id}/publish`, { key: writer });
      ids.push(e.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: Record<string, string> = { limit: '2', contentType: 'article' };
      if (cursor) q.cursor = cursor;
      const r = await api.call('GET', '/v1/spaces/alpha/entries', { key: reader, query: q });
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      for (const item of r.body.items) expect(item.status).toBe('published');
      seen.push(...r.body.items.map((x: { id: string }) => x.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"c":"x","i":1}').toString('base64url')}`, 'cursor'],
    ['contentType=Bad!', 'contentType'],
    ['preview=yes', 'preview'],
  ])('rejects a listing with %s (400)', async (qs, word) => {
    const r = await api.call('GET', `/v1/spaces/alpha/entries?${qs}`, { key: writer });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(errorShape);
    expect(r.body.error.message).toContain(word);
  });

  it.each([
    ['bad JSON', { raw: '{"contentType":' }, 400],
    ['a non-object body', { body: [1, 2] }, 400],
    ['a missing slug', { body: { contentType: 'article', fields: {} } }, 400],
    ['an invalid slug', { body: { contentType: 'article', slug: 'Not OK', fields: {} } }, 400],
    [
      'fields that are not an object',
      { body: { contentType: 'article', slug: 'x1', fields: 'text' } },
      400,
    ],
    [
      'an unknown property',
      { body: { contentType: 'article', slug: 'x2', fields: {}, status: 'published' } },
      400,
    ],
    [
      'fields over 256 KiB',
      { body: { contentType: 'article', slug: 'x3', fields: { big: 'x'.repeat(300 * 1024) } } },
      400,
    ],
    [
      'a body over 1 MiB',
      {
        raw: JSON.stringify({
          contentType: 'article',
          slug: 'x4',
          fields: { big: 'x'.repeat(1100 * 1024) },
        }),
      },
      413,
    ],
  ])('rejects a create with %s', async (_, o, status) => {
    const r = await api.call('POST', '/v1/spaces/alpha/entries', { key: writer, ...o });
    expect(r.status).toBe(status);
    expect(r.body).toEqual(errorShape);
  });

  it('rejects a body that is not application/json (415)', async () => {
    const r = await api.call('POST', '/v1/spaces/alpha/entries', {
      key: writer,
      raw: 'contentType=article',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(415);
  });

  it('rejects a bad entry id (400) and an unknown one (404)', async () => {
    expect((await api.call('GET', '/v1/spaces/alpha/entries/123', { key: reader })).status).toBe(
      400,
    );
    expect(
      (
        await api.call('GET', '/v1/spaces/alpha/entries/00000000-0000-4000-8000-000000000000', {
          key: reader,
        })
      ).status,
    ).toBe(404);
  });

  it('rejects a bad space id (400) and unknown routes (404) and methods (405)', async () => {
    expect((await api.call('GET', '/v1/spaces/Bad_Space/entries', { key: reader })).status).toBe(
      400,
    );
    expect((await api.call('GET', '/v1/nothing', { key: reader })).status).toBe(404);
    const m = await api.call('PATCH', '/v1/spaces/alpha/entries', { key: reader });
    expect(m.status).toBe(405);
    expect(m.headers.Allow).toBe('GET, POST');
  });
});

describe('keys', () => {
  it('creates a key shown once (201), lists keys without secrets, revokes (204)', async () => {
    const c = await api.call('POST', '/v1/spaces/alpha/keys', {
      key: admin,
      body: { name: 'ci', role: 'read' },
    });
    expect(c.status).toBe(201);
    expect(c.body).toEqual({
      id: expect.any(String),
      name: 'ci',
      role: 'read',
      key: expect.stringMatching(/^bwk_[A-Za-z0-9_-]{43}$/),
      createdAt: api.now.toISOString(),
    });
    expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: c.body.key })).status).toBe(
      200,
    );
    const list = await api.call('GET', '/v1/spaces/alpha/keys', { key: admin });
    expect(list.status).toBe(200);
    expect(list.headers['Cache-Control']).toBe('no-store');
    const listed = list.body.items.find((k: { id: string }) => k.id === c.body.id);
    expect(listed).toEqual({
      id: c.body.id,
      name: 'ci',
      role: 'read',
      createdAt: c.body.createdAt,
      expiresAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(c.body.key);
    expect(
      (await api.call('DELETE', `/v1/spaces/alpha/keys/${c.body.id}`, { key: admin })).status,
    ).toBe(204);
    expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: c.body.key })).status).toBe(
      401,
    );
    expect(
      (await api.call('DELETE', `/v1/spaces/alpha/keys/${c.body.id}`, { key: admin })).status,
    ).toBe(404);
  });

  it.each([
    [{ name: 'x', role: 'owner' }],
    [{ name: '', role: 'read' }],
    [{ role: 'read' }],
    [{ name: 'x', role: 'read', extra: true }],
  ])('rejects key body %p (400)', async (body) => {
    expect((await api.call('POST', '/v1/spaces/alpha/keys', { key: admin, body })).status).toBe(
      400,
    );
  });

  it('stores only a hash of each key', async () => {
    const { key } = await api.key('alpha', 'read', 'hash-check');
    const rows = await api.db.pool.query('SELECT key_hash::text AS h, name FROM api_keys');
    expect(JSON.stringify(rows.rows)).not.toContain(key);
    expect(JSON.stringify(rows.rows)).not.toContain(key.slice(4));
  });
});

describe('audit log', () => {
  it('records every successful write once with key, action and target, newest first', async () => {
    const { id: writerId, key } = await api.key('alpha', 'write', 'audited');
    const before = (await api.call('GET', '/v1/spaces/alpha/audit-log?limit=100', { key: admin }))
      .body.items.length;
    const e = await api.entry('alpha', key, 'audited-entry');
    await api.call('PUT', `/v1/spaces/alpha/entries/${e.id}`, {
      key,
      body: { fields: {} },
      headers: { 'If-Match': '1' },
    });
    await api.call('PUT', `/v1/spaces/alpha/entries/${e.id}`, {
      key,
      body: { fields: {} },
      headers: { 'If-Match': '1' },
    }); // 412: no row
    await api.call('POST', `/v1/spaces/alpha/entries/${e.id}/publish`, { key });
    await api.call('DELETE', `/v1/spaces/alpha/entries/${e.id}`, { key });
    const log = await api.call('GET', '/v1/spaces/alpha/audit-log?limit=100', { key: admin });
    expect(log.status).toBe(200);
    expect(log.headers['Cache-Control']).toBe('no-store');
    const mine = log.body.items.filter((i: { keyId: string }) => i.keyId === writerId);
    expect(mine.map((i: { action: string }) => i.action)).toEqual([
      'entry.delete',
      'entry.publish',
      'entry.update',
      'entry.create',
    ]);
    for (const i of mine)
      expect(i).toEqual({
        at: expect.any(String),
        keyId: writerId,
        subject: null,
        grantId: null,
        action: expect.any(String),
        target: `entries/${e.id}`,
      });
    expect(log.body.items.length).toBe(before + 4);
  });

  it('pages with an opaque cursor', async () => {
    const first = await api.call('GET', '/v1/spaces/alpha/audit-log?limit=2', { key: admin });
    expect(first.body.items).toHaveLength(2);
    const second = await api.call('GET', '/v1/spaces/alpha/audit-log', {
      key: admin,
      query: { limit: '2', cursor: first.body.nextCursor },
    });
    expect(second.status).toBe(200);
    expect(second.body.items[0]).not.toEqual(first.body.items[0]);
  });
});
