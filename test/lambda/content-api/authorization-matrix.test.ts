import { randomBytes } from 'node:crypto';
import type { Role } from '../../../lambda/content-api/domain/model';
import { ApiHarness, type CallOptions } from './harness';

let api: ApiHarness;
let setupWriter: string;
let setupAdmin: string;
const callers: Record<string, string | undefined> = {};
let counter = 0;

/** One route of the contract: how to make a valid call, the role it needs, its success status. */
interface RouteCase {
  name: string;
  role: Role;
  ok: number;
  prepare(): Promise<{ method: string; path: string; options?: CallOptions }>;
}

const fresh = () => `m${++counter}`;
const publishedEntry = async () => {
  const e = await api.entry('alpha', setupWriter, fresh());
  await api.call('POST', `/v1/spaces/alpha/entries/${e.id}/publish`, { key: setupWriter });
  return e;
};

const ROUTES: RouteCase[] = [
  {
    name: 'GET entries',
    role: 'read',
    ok: 200,
    prepare: async () => ({ method: 'GET', path: '/v1/spaces/alpha/entries' }),
  },
  {
    name: 'GET entry',
    role: 'read',
    ok: 200,
    prepare: async () => ({
      method: 'GET',
      path: `/v1/spaces/alpha/entries/${(await publishedEntry()).id}`,
    }),
  },
  {
    name: 'POST entries',
    role: 'write',
    ok: 201,
    prepare: async () => ({
      method: 'POST',
      path: '/v1/spaces/alpha/entries',
      options: { body: { contentType: 'article', slug: fresh(), fields: {} } },
    }),
  },
  {
    name: 'PUT entry',
    role: 'write',
    ok: 200,
    prepare: async () => ({
      method: 'PUT',
      path: `/v1/spaces/alpha/entries/${(await api.entry('alpha', setupWriter, fresh())).id}`,
      options: { body: { fields: { changed: true } }, headers: { 'If-Match': '1' } },
    }),
  },
  {
    name: 'DELETE entry',
    role: 'write',
    ok: 204,
    prepare: async () => ({
      method: 'DELETE',
      path: `/v1/spaces/alpha/entries/${(await api.entry('alpha', setupWriter, fresh())).id}`,
    }),
  },
  {
    name: 'POST publish',
    role: 'write',
    ok: 200,
    prepare: async () => ({
      method: 'POST',
      path: `/v1/spaces/alpha/entries/${(await api.entry('alpha', setupWriter, fresh())).id}/publish`,
    }),
  },
  {
    name: 'GET keys',
    role: 'admin',
    ok: 200,
    prepare: async () => ({ method: 'GET', path: '/v1/spaces/alpha/keys' }),
  },
  {
    name: 'POST keys',
    role: 'admin',
    ok: 201,
    prepare: async () => ({
      method: 'POST',
      path: '/v1/spaces/alpha/keys',
      options: { body: { name: fresh(), role: 'read' } },
    }),
  },
  {
    name: 'POST rotate',
    role: 'admin',
    ok: 201,
    prepare: async () => ({
      method: 'POST',
      path: `/v1/spaces/alpha/keys/${(await api.key('alpha', 'read')).id}/rotate`,
    }),
  },
  {
    name: 'DELETE key',
    role: 'admin',
    ok: 204,
    prepare: async () => ({
      method: 'DELETE',
      path: `/v1/spaces/alpha/keys/${(await api.key('alpha', 'read')).id}`,
    }),
  },
  {
    name: 'GET audit-log',
    role: 'admin',
    ok: 200,
    prepare: async () => ({ method: 'GET', path: '/v1/spaces/alpha/audit-log' }),
  },
];

/** Expected status for a caller on a route. */
const expected = (caller: string, route: RouteCase): number => {
  if (['none', 'malformed', 'unknown', 'revoked', 'expired'].includes(caller)) return 401;
  if (caller === 'other-space') return 403;
  const rank = ['read', 'write', 'admin'];
  return rank.indexOf(caller) >= rank.indexOf(route.role) ? route.ok : 403;
};

beforeAll(async () => {
  api = await ApiHarness.start(['alpha', 'beta'], 60);
  setupWriter = (await api.key('alpha', 'write', 'setup writer')).key;
  setupAdmin = (await api.key('alpha', 'admin', 'setup admin')).key;
  callers.none = undefined;
  callers.malformed = 'not-a-key';
  callers.unknown = `bwk_${randomBytes(32).toString('base64url')}`;
  callers.read = (await api.key('alpha', 'read')).key;
  callers.write = (await api.key('alpha', 'write')).key;
  callers.admin = (await api.key('alpha', 'admin')).key;
  callers['other-space'] = (await api.key('beta', 'admin')).key;
  const revoked = await api.key('alpha', 'admin', 'revoked');
  await api.call('DELETE', `/v1/spaces/alpha/keys/${revoked.id}`, { key: setupAdmin });
  callers.revoked = revoked.key;
  const rotated = await api.key('alpha', 'admin', 'rotated');
  await api.call('POST', `/v1/spaces/alpha/keys/${rotated.id}/rotate`, { key: setupAdmin });
  api.tick(61); // past the 60 s grace period
  callers.expired = rotated.key;
});
afterAll(() => api.stop());

const CALLERS = [
  'none',
  'malformed',
  'unknown',
  'revoked',
  'expired',
  'other-space',
  'read',
  'write',
  'admin',
];

describe.each(ROUTES.map((r) => [r.name, r] as const))('%s', (_, route) => {
  it.each(CALLERS)('answers the contracted status to a %s key', async (caller) => {
    const { method, path, options } = await route.prepare();
    const before = caller === 'other-space' ? await api.snapshot() : '';
    const r = await api.call(method, path, { ...options, key: callers[caller] });
    expect(r.status).toBe(expected(caller, route));
    if (r.status >= 400) {
      expect(r.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
      expect(r.headers['Cache-Control']).toBe('no-store');
    }
    if (caller === 'other-space') expect(await api.snapshot()).toBe(before);
  });
});

it('never shows one space the entries of another', async () => {
  const e = await publishedEntry();
  const beta = callers['other-space'];
  expect((await api.call('GET', `/v1/spaces/beta/entries/${e.id}`, { key: beta })).status).toBe(
    404,
  );
  const list = await api.call('GET', '/v1/spaces/beta/entries?preview=true', { key: beta });
  expect(list.body.items).toEqual([]);
});

it('accepts a rotated key during its grace period', async () => {
  const k = await api.key('alpha', 'read', 'in grace');
  const r = await api.call('POST', `/v1/spaces/alpha/keys/${k.id}/rotate`, { key: setupAdmin });
  expect(r.status).toBe(201);
  api.tick(59);
  expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: k.key })).status).toBe(200);
  expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: r.body.key })).status).toBe(200);
  api.tick(2);
  expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: k.key })).status).toBe(401);
  expect((await api.call('GET', '/v1/spaces/alpha/entries', { key: r.body.key })).status).toBe(200);
  const listed = (await api.call('GET', '/v1/spaces/alpha/keys', { key: setupAdmin })).body.items;
  expect(listed.find((x: { id: string }) => x.id === k.id).expiresAt).toEqual(expect.any(String));
});
