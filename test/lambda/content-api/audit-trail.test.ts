import type { PoolClient } from 'pg';
import { ensureAppRole } from '../../../lambda/shared/content-schema/migrate';
import { OperatorError, createSpaceWithAdmin, operatorFrom } from '../../../scripts/lib/spaces';
import { ApiHarness } from './harness';

let api: ApiHarness;
let admin: { id: string; key: string };

beforeAll(async () => {
  api = await ApiHarness.start(['alpha'], 3600);
  admin = await api.key('alpha', 'admin');
});
afterAll(() => api.stop());

type Item = {
  at: string;
  keyId: string | null;
  subject: string | null;
  action: string;
  target: string;
};

async function log(space = 'alpha', key = admin.key): Promise<Item[]> {
  const r = await api.call('GET', `/v1/spaces/${space}/audit-log?limit=100`, { key });
  expect(r.status).toBe(200);
  return r.body.items;
}

describe("a key's whole life in the audit log", () => {
  it('shows creation, rotation, the new key’s creation and revocation', async () => {
    const created = await api.call('POST', '/v1/spaces/alpha/keys', {
      key: admin.key,
      body: { name: 'ci', role: 'write' },
    });
    const rotated = await api.call('POST', `/v1/spaces/alpha/keys/${created.body.id}/rotate`, {
      key: admin.key,
    });
    expect(rotated.status).toBe(201);
    await api.call('DELETE', `/v1/spaces/alpha/keys/${rotated.body.id}`, { key: admin.key });
    const mine = (await log()).filter((i) =>
      [`keys/${created.body.id}`, `keys/${rotated.body.id}`].includes(i.target),
    );
    expect(mine.map((i) => [i.action, i.target]).reverse()).toEqual([
      ['key.create', `keys/${created.body.id}`],
      ['key.rotate', `keys/${created.body.id}`],
      ['key.create', `keys/${rotated.body.id}`],
      ['key.revoke', `keys/${rotated.body.id}`],
    ]);
    for (const i of mine)
      expect({ keyId: i.keyId, subject: i.subject }).toEqual({ keyId: admin.id, subject: null });
  });

  it('refuses to rotate a key that has expired (404), minting nothing', async () => {
    const k = await api.key('alpha', 'read', 'short-lived');
    const first = await api.call('POST', `/v1/spaces/alpha/keys/${k.id}/rotate`, {
      key: admin.key,
    });
    expect(first.status).toBe(201);
    api.tick(3601); // past the grace period: the old key has expired
    const before = await api.snapshot();
    const again = await api.call('POST', `/v1/spaces/alpha/keys/${k.id}/rotate`, {
      key: admin.key,
    });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
    expect(await api.snapshot()).toBe(before);
    // The key minted by the first rotation is alive and may be rotated.
    const live = await api.call('POST', `/v1/spaces/alpha/keys/${first.body.id}/rotate`, {
      key: admin.key,
    });
    expect(live.status).toBe(201);
  });

  it('refuses to rotate a revoked key (404)', async () => {
    const k = await api.key('alpha', 'read', 'revoked');
    await api.call('DELETE', `/v1/spaces/alpha/keys/${k.id}`, { key: admin.key });
    const r = await api.call('POST', `/v1/spaces/alpha/keys/${k.id}/rotate`, { key: admin.key });
    expect(r.status).toBe(404);
  });
});

describe('ids in the audit log', () => {
  it('are lower case, whatever case the request used', async () => {
    const writer = await api.key('alpha', 'write', 'case');
    const e = await api.entry('alpha', writer.key, 'case-entry');
    const upper = e.id.toUpperCase();
    expect(
      (
        await api.call('PUT', `/v1/spaces/alpha/entries/${upper}`, {
          key: writer.key,
          body: { fields: { x: 1 } },
          headers: { 'If-Match': '1' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await api.call('POST', `/v1/spaces/alpha/entries/${upper}/publish`, { key: writer.key }))
        .status,
    ).toBe(200);
    const k = await api.key('alpha', 'read', 'upper');
    expect(
      (await api.call('DELETE', `/v1/spaces/alpha/keys/${k.id.toUpperCase()}`, { key: admin.key }))
        .status,
    ).toBe(204);
    const targets = (await log()).map((i) => i.target);
    expect(targets).toContain(`entries/${e.id}`);
    expect(targets).toContain(`keys/${k.id}`);
    for (const t of targets) expect(t).toBe(t.toLowerCase());
  });
});

describe('operators', () => {
  it('are named in the log for the spaces and bootstrap keys their tools create', async () => {
    const { key } = await createSpaceWithAdmin(api.db.pool, 'gamma', Buffer.from('test-pepper'), {
      operator: { kind: 'operator', name: 'alice' },
    });
    const items = await log('gamma', key);
    expect(
      items.map(({ action, keyId, subject }) => ({ action, keyId, subject })).reverse(),
    ).toEqual([
      { action: 'space.create', keyId: null, subject: 'operator:alice' },
      { action: 'key.create', keyId: null, subject: 'operator:alice' },
    ]);
  });

  it('come from BULWARK_OPERATOR or the user name, and must be a plain name', () => {
    expect(operatorFrom({ BULWARK_OPERATOR: 'bob@example.com' })).toEqual({
      kind: 'operator',
      name: 'bob@example.com',
    });
    expect(operatorFrom({}).name).toMatch(/^[A-Za-z0-9]/);
    expect(() => operatorFrom({ BULWARK_OPERATOR: 'x y' })).toThrow(OperatorError);
    expect(() => operatorFrom({ BULWARK_OPERATOR: '' })).toThrow(/BULWARK_OPERATOR/);
  });

  it('leave no audit row without an actor: the table refuses one', async () => {
    await expect(
      api.db.pool.query(
        "INSERT INTO audit_log (space_id, at, action, target) VALUES ('alpha', now(), 'x', 'y')",
      ),
    ).rejects.toThrow(/audit_log_one_actor/);
  });
});

describe('the audit log, as the API’s database role', () => {
  const role = `api_audit_${Date.now().toString(36)}`;
  let client: PoolClient;
  beforeAll(async () => {
    await ensureAppRole(api.db.pool, role);
    client = await api.db.pool.connect();
    await client.query(`SET ROLE ${role}`);
  });
  afterAll(async () => {
    await client.query('RESET ROLE');
    client.release();
  });

  it('may be read and appended to', async () => {
    await client.query(
      "INSERT INTO audit_log (space_id, at, key_id, action, target) VALUES ('alpha', now(), gen_random_uuid(), 'entry.create', 'entries/x')",
    );
    const r = await client.query('SELECT count(*)::int AS n FROM audit_log');
    expect(r.rows[0].n).toBeGreaterThan(0);
  });

  it.each([
    ["UPDATE audit_log SET action = 'nothing'"],
    ["UPDATE audit_log SET key_id = NULL, subject = 'someone' WHERE id = 1"],
    ['DELETE FROM audit_log'],
    ['DELETE FROM audit_log WHERE id = 1'],
    ['TRUNCATE audit_log'],
    ['ALTER TABLE audit_log DROP CONSTRAINT audit_log_one_actor'],
    ['DROP TABLE audit_log'],
  ])('may not: %s', async (sql) => {
    await expect(client.query(sql)).rejects.toThrow(/permission denied|must be owner/);
  });

  it('still lets it write entries, keys and the outbox', async () => {
    await client.query('BEGIN');
    try {
      await client.query("UPDATE api_keys SET name = name WHERE space_id = 'alpha'");
      await client.query("DELETE FROM invalidation_outbox WHERE space_id = 'nope'");
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
