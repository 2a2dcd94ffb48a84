import { cognitoPeople } from '../../../lambda/content-api/adapters/cognito-people';
import { ApiHarness, type Reply } from './harness';
import { testUserPool } from '../../support/tokens';

const pool = testUserPool();
const people = cognitoPeople(pool);
const operator = { kind: 'operator', name: 'test' } as const;

let n = 0;
/** A support engineer's access token (their own subject), with extra groups if given. */
const supportToken = (extraGroups: string[] = []) => {
  const subject = `5a000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  return {
    subject,
    token: pool.accessToken({ sub: subject, 'cognito:groups': ['support', ...extraGroups] }),
  };
};

/** What a route needs, and how to call it in a space prepared by {@link prepare}. */
interface RouteCase {
  readonly name: string;
  readonly needs: 'read' | 'write' | 'admin';
  readonly call: (api: ApiHarness, s: Prepared, key: string) => Promise<Reply>;
}

interface Prepared {
  readonly space: string;
  readonly adminKey: string;
  readonly entryId: string;
  readonly keyId: string;
  readonly grantId?: string;
}

const base = (s: Prepared) => `/v1/spaces/${s.space}`;
const ROUTES: RouteCase[] = [
  {
    name: 'GET entries',
    needs: 'read',
    call: (a, s, key) => a.call('GET', `${base(s)}/entries`, { key }),
  },
  {
    name: 'GET entry',
    needs: 'read',
    call: (a, s, key) => a.call('GET', `${base(s)}/entries/${s.entryId}`, { key }),
  },
  {
    name: 'GET entry preview',
    needs: 'write',
    call: (a, s, key) => a.call('GET', `${base(s)}/entries/${s.entryId}?preview=true`, { key }),
  },
  {
    name: 'POST entries',
    needs: 'write',
    call: (a, s, key) =>
      a.call('POST', `${base(s)}/entries`, {
        key,
        body: { contentType: 'article', slug: 'by-support', fields: {} },
      }),
  },
  {
    name: 'PUT entry',
    needs: 'write',
    call: (a, s, key) =>
      a.call('PUT', `${base(s)}/entries/${s.entryId}`, {
        key,
        headers: { 'If-Match': '2' },
        body: { fields: { title: 'fixed by support' } },
      }),
  },
  {
    name: 'POST publish',
    needs: 'write',
    call: (a, s, key) => a.call('POST', `${base(s)}/entries/${s.entryId}/publish`, { key }),
  },
  {
    name: 'DELETE entry',
    needs: 'write',
    call: (a, s, key) => a.call('DELETE', `${base(s)}/entries/${s.entryId}`, { key }),
  },
  {
    name: 'GET keys',
    needs: 'admin',
    call: (a, s, key) => a.call('GET', `${base(s)}/keys`, { key }),
  },
  {
    name: 'POST keys',
    needs: 'admin',
    call: (a, s, key) =>
      a.call('POST', `${base(s)}/keys`, { key, body: { name: 'support', role: 'admin' } }),
  },
  {
    name: 'POST rotate',
    needs: 'admin',
    call: (a, s, key) => a.call('POST', `${base(s)}/keys/${s.keyId}/rotate`, { key }),
  },
  {
    name: 'DELETE key',
    needs: 'admin',
    call: (a, s, key) => a.call('DELETE', `${base(s)}/keys/${s.keyId}`, { key }),
  },
  {
    name: 'GET audit-log',
    needs: 'admin',
    call: (a, s, key) => a.call('GET', `${base(s)}/audit-log`, { key }),
  },
  {
    name: 'GET support-grants',
    needs: 'admin',
    call: (a, s, key) => a.call('GET', `${base(s)}/support-grants`, { key }),
  },
  {
    name: 'POST support-grants',
    needs: 'admin',
    call: (a, s, key) =>
      a.call('POST', `${base(s)}/support-grants`, {
        key,
        body: { reason: 'self-granted', hours: 72, role: 'write' },
      }),
  },
  {
    name: 'DELETE support-grant',
    needs: 'admin',
    call: (a, s, key) =>
      a.call(
        'DELETE',
        `${base(s)}/support-grants/${s.grantId ?? '00000000-0000-4000-8000-000000000000'}`,
        {
          key,
        },
      ),
  },
];

type GrantState = 'live' | 'expired' | 'revoked' | 'other space' | 'none';
const STATES: GrantState[] = ['live', 'expired', 'revoked', 'other space', 'none'];

describe('support grants: routes × grant role × grant state', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await ApiHarness.start(['alpha'], 3600, { people });
  });
  afterAll(async () => {
    await api.stop();
  });

  let spaces = 0;
  /** A fresh space with an admin key, a published entry (version 2) and a grant in `state`. */
  async function prepare(state: GrantState, role: 'read' | 'write'): Promise<Prepared> {
    const space = `matrix-${++spaces}`;
    await api.service.createSpace(operator, space);
    const admin = await api.key(space, 'admin');
    const entry = await api.entry(space, admin.key, 'hello');
    await api.call('POST', `/v1/spaces/${space}/entries/${entry.id}/publish`, { key: admin.key });
    const give = async (where: string, key: string) => {
      const r = await api.call('POST', `/v1/spaces/${where}/support-grants`, {
        key,
        body: { reason: 'TICKET-1', hours: 1, role },
      });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    let grantId: string | undefined;
    if (state === 'live') grantId = await give(space, admin.key);
    if (state === 'revoked') {
      grantId = await give(space, admin.key);
      const r = await api.call('DELETE', `/v1/spaces/${space}/support-grants/${grantId}`, {
        key: admin.key,
      });
      expect(r.status).toBe(204);
    }
    if (state === 'expired') {
      const now = api.now;
      api.now = new Date(now.getTime() - 2 * 3600_000);
      grantId = await give(space, admin.key);
      api.now = now;
    }
    if (state === 'other space') {
      const other = `${space}-other`;
      await api.service.createSpace(operator, other);
      await give(other, (await api.key(other, 'admin')).key);
    }
    return { space, adminKey: admin.key, entryId: entry.id, keyId: admin.id, grantId };
  }

  const supportRows = async (space: string) =>
    (
      await api.db.pool.query(
        "SELECT subject, action, target, grant_id FROM audit_log WHERE space_id = $1 AND action LIKE 'support.%' AND action NOT IN ('support.grant', 'support.revoke') ORDER BY id",
        [space],
      )
    ).rows;

  const cases = ROUTES.flatMap((route) =>
    (['read', 'write'] as const).flatMap((role) => STATES.map((state) => ({ route, role, state }))),
  );

  it.each(cases.map((c) => [c.route.name, c.role, c.state, c] as const))(
    '%s with a %s grant that is %s',
    async (_name, _role, _state, { route, role, state }) => {
      const s = await prepare(state, role);
      const { subject, token } = supportToken();
      const allowed =
        state === 'live' && route.needs !== 'admin' && (route.needs === 'read' || role === 'write');
      const before = await api.snapshot();
      const reply = await route.call(api, s, token);
      const rows = await supportRows(s.space);
      if (!allowed) {
        expect(reply.status).toBe(403);
        expect(rows).toEqual([]);
        // Nothing changed: no audit row, no use counted, no data touched.
        expect(await api.snapshot()).toBe(before);
        return;
      }
      expect(reply.status).toBeGreaterThanOrEqual(200);
      expect(reply.status).toBeLessThan(300);
      const method = route.name.split(' ')[0];
      expect(rows).toEqual([
        {
          subject,
          action: `support.${route.needs}`,
          target: expect.stringMatching(new RegExp(`^${method} /v1/spaces/${s.space}/`)),
          grant_id: s.grantId,
        },
      ]);
      const grant = await api.db.pool.query(
        'SELECT uses, last_used_at FROM support_grants WHERE id = $1',
        [s.grantId],
      );
      expect(Number(grant.rows[0].uses)).toBe(1);
      expect(grant.rows[0].last_used_at.toISOString()).toBe(api.now.toISOString());
    },
  );
});

describe('support grants: giving, listing and revoking', () => {
  let api: ApiHarness;
  let admin: { id: string; key: string };
  beforeAll(async () => {
    api = await ApiHarness.start(['alpha', 'beta'], 3600, { people });
    admin = await api.key('alpha', 'admin');
  });
  afterAll(async () => {
    await api.stop();
  });
  const grants = '/v1/spaces/alpha/support-grants';

  it('gives a grant for the hours asked, read by default, and audits it', async () => {
    const r = await api.call('POST', grants, {
      key: admin.key,
      body: { reason: '  TICKET-42 ', hours: 3 },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      reason: 'TICKET-42',
      role: 'read',
      createdAt: api.now.toISOString(),
      expiresAt: new Date(api.now.getTime() + 3 * 3600_000).toISOString(),
      grantedBy: `key:${admin.id}`,
    });
    expect(r.headers['Cache-Control']).toBe('no-store');
    const log = await api.call('GET', '/v1/spaces/alpha/audit-log', { key: admin.key });
    expect(log.body.items[0]).toEqual({
      at: api.now.toISOString(),
      keyId: admin.id,
      subject: null,
      grantId: null,
      action: 'support.grant',
      target: `support-grants/${r.body.id}`,
    });
  });

  it.each([
    [{ hours: 1 }, 'reason'],
    [{ reason: '', hours: 1 }, 'reason must not be empty'],
    [{ reason: '   ', hours: 1 }, 'reason must not be empty'],
    [{ reason: 'x'.repeat(501), hours: 1 }, 'at most 500'],
    [{ reason: 'x', hours: 0 }, 'hours'],
    [{ reason: 'x', hours: 73 }, 'hours'],
    [{ reason: 'x', hours: 1.5 }, 'hours'],
    [{ reason: 'x', hours: '2' }, 'hours'],
    [{ reason: 'x', hours: 1, role: 'admin' }, 'role must be one of read, write'],
    [{ reason: 'x', hours: 1, scope: 'all' }, ''],
    [[], ''],
  ])('refuses %j with a 400 naming the problem', async (body, message) => {
    const before = await api.snapshot();
    const r = await api.call('POST', grants, { key: admin.key, body });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
    expect(await api.snapshot()).toBe(before);
  });

  it('accepts the longest reason and the longest grant', async () => {
    const r = await api.call('POST', grants, {
      key: admin.key,
      body: { reason: 'é'.repeat(500), hours: 72, role: 'write' },
    });
    expect(r.status).toBe(201);
    expect(Date.parse(r.body.expiresAt) - Date.parse(r.body.createdAt)).toBe(72 * 3600_000);
  });

  it.each([
    ['a read key', () => api.key('alpha', 'read').then((k) => k.key), 403],
    ['a write key', () => api.key('alpha', 'write').then((k) => k.key), 403],
    ['another space’s admin key', () => api.key('beta', 'admin').then((k) => k.key), 403],
    [
      'a person with the write role',
      async () => pool.accessToken({ 'cognito:groups': ['space:alpha:write'] }),
      403,
    ],
    [
      'a person with the admin role',
      async () => pool.accessToken({ 'cognito:groups': ['space:alpha:admin'] }),
      201,
    ],
    ['no token', async () => '', 401],
  ])('lets only admins give grants: %s gets %i', async (_who, token, status) => {
    const key = await token();
    const r = await api.call('POST', grants, {
      ...(key ? { key } : {}),
      body: { reason: 'TICKET-7', hours: 1 },
    });
    expect(r.status).toBe(status);
  });

  it('lists live and past grants with their status, use and who gave and revoked them', async () => {
    const fresh = await ApiHarness.start(['gamma'], 3600, { people });
    try {
      const key = (await fresh.key('gamma', 'admin')).key;
      const person = pool.accessToken({
        sub: 'ad000000-0000-4000-8000-000000000001',
        'cognito:groups': ['space:gamma:admin'],
      });
      const give = async (token: string, hours: number) =>
        (
          await fresh.call('POST', '/v1/spaces/gamma/support-grants', {
            key: token,
            body: { reason: `for ${hours}h`, hours },
          })
        ).body.id as string;
      const expiring = await give(key, 1);
      fresh.tick(60);
      const revoked = await give(person, 5);
      fresh.tick(60);
      const live = await give(key, 2);
      expect(
        (await fresh.call('DELETE', `/v1/spaces/gamma/support-grants/${revoked}`, { key: person }))
          .status,
      ).toBe(204);
      const { token } = supportToken();
      fresh.tick(60);
      expect((await fresh.call('GET', '/v1/spaces/gamma/entries', { key: token })).status).toBe(
        200,
      );
      const usedAt = fresh.now.toISOString();
      fresh.tick(3600);
      const r = await fresh.call('GET', '/v1/spaces/gamma/support-grants', { key });
      expect(r.status).toBe(200);
      expect(r.headers['Cache-Control']).toBe('no-store');
      expect(r.body.nextCursor).toBeNull();
      expect(
        r.body.items.map((g: any) => [
          g.id,
          g.status,
          g.uses,
          g.lastUsedAt,
          g.grantedBy,
          g.revokedBy,
        ]),
      ).toEqual([
        [live, 'live', 1, usedAt, expect.stringMatching(/^key:/), null],
        [
          revoked,
          'revoked',
          0,
          null,
          'person:ad000000-0000-4000-8000-000000000001',
          'person:ad000000-0000-4000-8000-000000000001',
        ],
        [expiring, 'expired', 0, null, expect.stringMatching(/^key:/), null],
      ]);
      const first = await fresh.call('GET', '/v1/spaces/gamma/support-grants?limit=2', { key });
      expect(first.body.items.map((g: any) => g.id)).toEqual([live, revoked]);
      const rest = await fresh.call(
        'GET',
        `/v1/spaces/gamma/support-grants?limit=2&cursor=${first.body.nextCursor}`,
        { key },
      );
      expect(rest.body.items.map((g: any) => g.id)).toEqual([expiring]);
      expect(rest.body.nextCursor).toBeNull();
      // A cursor of another listing or space is refused.
      const forged = await fresh.call(
        'GET',
        `/v1/spaces/gamma/audit-log?cursor=${first.body.nextCursor}`,
        { key },
      );
      expect(forged.status).toBe(400);
    } finally {
      await fresh.stop();
    }
  });

  it('ends support access at once on revocation; revoking again, or an expired grant, is a 404', async () => {
    const give = await api.call('POST', grants, {
      key: admin.key,
      body: { reason: 'TICKET-9', hours: 1 },
    });
    const { token } = supportToken();
    expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: token })).status).toBe(200);
    expect((await api.call('DELETE', `${grants}/${give.body.id}`, { key: admin.key })).status).toBe(
      204,
    );
    // Other live grants of alpha given above could still admit; revoke them all first.
    for (const g of (await api.call('GET', grants, { key: admin.key })).body.items) {
      if (g.status === 'live') await api.call('DELETE', `${grants}/${g.id}`, { key: admin.key });
    }
    expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: token })).status).toBe(403);
    expect((await api.call('DELETE', `${grants}/${give.body.id}`, { key: admin.key })).status).toBe(
      404,
    );
    expect(
      (await api.call('DELETE', `${grants}/${give.body.id.toUpperCase()}`, { key: admin.key }))
        .status,
    ).toBe(404);
    expect((await api.call('DELETE', `${grants}/not-a-uuid`, { key: admin.key })).status).toBe(400);
    const beta = (await api.key('beta', 'admin')).key;
    const betaGrant = await api.call('POST', '/v1/spaces/beta/support-grants', {
      key: beta,
      body: { reason: 'x', hours: 1 },
    });
    // Another space's grant is not this space's to revoke.
    expect(
      (await api.call('DELETE', `${grants}/${betaGrant.body.id}`, { key: admin.key })).status,
    ).toBe(404);
    api.tick(3600);
    expect(
      (
        await api.call('DELETE', `/v1/spaces/beta/support-grants/${betaGrant.body.id}`, {
          key: beta,
        })
      ).status,
    ).toBe(404);
    const revokes = await api.db.pool.query(
      "SELECT key_id, target FROM audit_log WHERE action = 'support.revoke' AND target = $1",
      [`support-grants/${give.body.id}`],
    );
    expect(revokes.rows).toEqual([{ key_id: admin.id, target: `support-grants/${give.body.id}` }]);
  });

  it('refuses a grant at the instant it expires', async () => {
    const fresh = await ApiHarness.start(['delta'], 3600, { people });
    try {
      const key = (await fresh.key('delta', 'admin')).key;
      await fresh.call('POST', '/v1/spaces/delta/support-grants', {
        key,
        body: { reason: 'x', hours: 1 },
      });
      const { token } = supportToken();
      fresh.tick(3599);
      expect((await fresh.call('GET', '/v1/spaces/delta/entries', { key: token })).status).toBe(
        200,
      );
      fresh.tick(1);
      expect((await fresh.call('GET', '/v1/spaces/delta/entries', { key: token })).status).toBe(
        403,
      );
    } finally {
      await fresh.stop();
    }
  });

  it('gives a support person no standing access through space groups', async () => {
    const fresh = await ApiHarness.start(['epsilon'], 3600, { people });
    try {
      const { token } = supportToken(['space:epsilon:admin']);
      for (const [method, path] of [
        ['GET', '/v1/spaces/epsilon/entries'],
        ['GET', '/v1/spaces/epsilon/keys'],
        ['POST', '/v1/spaces/epsilon/support-grants'],
      ]) {
        const r = await fresh.call(method, path, {
          key: token,
          body: { reason: 'self', hours: 1 },
        });
        expect([path, r.status]).toEqual([path, 403]);
      }
      expect(
        (await fresh.db.pool.query('SELECT count(*)::int AS n FROM support_grants')).rows[0].n,
      ).toBe(0);
    } finally {
      await fresh.stop();
    }
  });

  it('names the grant on the audit rows of a support person’s writes, visible to the customer', async () => {
    const fresh = await ApiHarness.start(['zeta'], 3600, { people });
    try {
      const key = (await fresh.key('zeta', 'admin')).key;
      const grant = await fresh.call('POST', '/v1/spaces/zeta/support-grants', {
        key,
        body: { reason: 'fix a broken entry', hours: 2, role: 'write' },
      });
      const { subject, token } = supportToken();
      const created = await fresh.call('POST', '/v1/spaces/zeta/entries', {
        key: token,
        body: { contentType: 'article', slug: 'fixed', fields: {} },
      });
      expect(created.status).toBe(201);
      const log = await fresh.call('GET', '/v1/spaces/zeta/audit-log', { key });
      expect(log.body.items.slice(0, 2)).toEqual([
        {
          at: fresh.now.toISOString(),
          keyId: null,
          subject,
          grantId: grant.body.id,
          action: 'entry.create',
          target: `entries/${created.body.id}`,
        },
        {
          at: fresh.now.toISOString(),
          keyId: null,
          subject,
          grantId: grant.body.id,
          action: 'support.write',
          target: 'POST /v1/spaces/zeta/entries',
        },
      ]);
    } finally {
      await fresh.stop();
    }
  });

  it('with keyManagement "people", takes grants from people only', async () => {
    const fresh = await ApiHarness.start(['eta'], 3600, { people, keyManagement: 'people' });
    try {
      const key = (await fresh.key('eta', 'admin')).key;
      const body = { reason: 'TICKET-3', hours: 1 };
      const byKey = await fresh.call('POST', '/v1/spaces/eta/support-grants', { key, body });
      expect(byKey.status).toBe(403);
      expect(byKey.body.error.message).toMatch(/people signed in with the admin role/);
      expect((await fresh.call('GET', '/v1/spaces/eta/support-grants', { key })).status).toBe(403);
      const person = pool.accessToken({ 'cognito:groups': ['space:eta:admin'] });
      expect(
        (await fresh.call('POST', '/v1/spaces/eta/support-grants', { key: person, body })).status,
      ).toBe(201);
    } finally {
      await fresh.stop();
    }
  });

  it('counts and audits each of many concurrent uses exactly once', async () => {
    const fresh = await ApiHarness.start(['theta'], 3600, { people });
    try {
      const key = (await fresh.key('theta', 'admin')).key;
      const grant = await fresh.call('POST', '/v1/spaces/theta/support-grants', {
        key,
        body: { reason: 'x', hours: 1 },
      });
      const { token } = supportToken();
      const replies = await Promise.all(
        Array.from({ length: 20 }, () =>
          fresh.call('GET', '/v1/spaces/theta/entries', { key: token }),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
      const g = await fresh.db.pool.query('SELECT uses FROM support_grants WHERE id = $1', [
        grant.body.id,
      ]);
      expect(Number(g.rows[0].uses)).toBe(20);
      const rows = await fresh.db.pool.query(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'support.read'",
      );
      expect(rows.rows[0].n).toBe(20);
    } finally {
      await fresh.stop();
    }
  });
});
