import { cognitoPeople } from '../../../lambda/content-api/adapters/cognito-people';
import { rolesFromGroups } from '../../../lambda/content-api/domain/people';
import { rsaKey, signJwt, testUserPool } from '../../support/tokens';
import { keyManagementFrom, peopleFrom } from '../../../lambda/content-api/runtime';
import { ApiHarness } from './harness';

const pool = testUserPool();
const people = cognitoPeople(pool);
const now = () => Math.floor(Date.now() / 1000);
const alpha = '/v1/spaces/alpha/entries';

describe('people signed in with user-pool access tokens', () => {
  let api: ApiHarness;
  let writerKey: string;
  let writerId: string;
  let hello: { id: string };
  let betaEntry: { id: string };
  beforeAll(async () => {
    api = await ApiHarness.start(['alpha', 'beta'], 3600, { people });
    ({ key: writerKey, id: writerId } = await api.key('alpha', 'write'));
    hello = await api.entry('alpha', writerKey, 'hello');
    await api.call('POST', `${alpha}/${hello.id}/publish`, { key: writerKey });
    betaEntry = await api.entry('beta', (await api.key('beta', 'write')).key, 'secret');
  });
  afterAll(async () => {
    await api.stop();
  });

  const as = (groups: string[] | undefined, claims: Record<string, unknown> = {}) =>
    pool.accessToken(groups === undefined ? claims : { 'cognito:groups': groups, ...claims });

  it('lets a person read and write the spaces their groups name', async () => {
    const token = as(['space:alpha:write']);
    expect((await api.call('GET', `${alpha}?preview=true`, { key: token })).status).toBe(200);
    const created = await api.call('POST', alpha, {
      key: token,
      body: { contentType: 'article', slug: 'by-a-person', fields: {} },
    });
    expect(created.status).toBe(201);
  });

  it.each([
    ['expired', () => as(['space:alpha:read'], { exp: now() - 60, iat: now() - 1000 }), 401],
    [
      'from another issuer',
      () =>
        as(['space:alpha:read'], {
          iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other',
        }),
      401,
    ],
    [
      'for another app client',
      () => as(['space:alpha:read'], { client_id: 'someotherclient' }),
      401,
    ],
    ['an ID token, not an access token', () => as(['space:alpha:read'], { token_use: 'id' }), 401],
    [
      'with a tampered signature',
      () => {
        const [h, p, s] = as(['space:alpha:read']).split('.');
        const forged = Buffer.from(
          JSON.stringify({
            ...JSON.parse(Buffer.from(p, 'base64url').toString()),
            'cognito:groups': ['space:alpha:admin'],
          }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
      401,
    ],
    [
      'signed with a key the pool does not have',
      () =>
        pool.accessToken(
          { 'cognito:groups': ['space:alpha:read'] },
          { key: rsaKey().privateKey, kid: 'unknown-kid' },
        ),
      401,
    ],
    [
      'signed with another key under the pool’s key id',
      () =>
        pool.accessToken({ 'cognito:groups': ['space:alpha:read'] }, { key: rsaKey().privateKey }),
      401,
    ],
    ['without an expiry (no exp)', () => as(['space:alpha:read'], { exp: undefined }), 401],
    ['with a non-numeric exp', () => as(['space:alpha:read'], { exp: 'never' }), 401],
    ['naming nobody (no sub)', () => as(['space:alpha:read'], { sub: undefined }), 401],
    ['with an empty sub', () => as(['space:alpha:read'], { sub: '' }), 401],
    ['with a blank sub', () => as(['space:alpha:read'], { sub: '   ' }), 401],
    ['with no groups', () => as(undefined), 403],
    ['with groups of another space only', () => as(['space:beta:admin']), 403],
    ['with groups that are not space roles', () => as(['space:alpha:owner', 'admins']), 403],
  ])('answers a token %s with %i', async (_, token, status) => {
    const r = await api.call('GET', alpha, { key: token() });
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const token = signJwt({ alg: 'RS256', kid: 'test-key-1' }, { sub: 'x' }, rsaKey().privateKey);
    const [h, p] = token.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    expect((await api.call('GET', alpha, { key: none })).status).toBe(401);
    expect((await api.call('GET', alpha, { key: `${h}.${p}.` })).status).toBe(401);
  });

  it('applies the role rules of keys: a reader may not write or preview', async () => {
    const token = as(['space:alpha:read']);
    expect((await api.call('GET', alpha, { key: token })).status).toBe(200);
    expect((await api.call('GET', `${alpha}?preview=true`, { key: token })).status).toBe(403);
    const r = await api.call('POST', alpha, {
      key: token,
      body: { contentType: 'article', slug: 'nope', fields: {} },
    });
    expect(r.status).toBe(403);
  });

  it('takes the strongest of a person’s roles in a space', async () => {
    const token = as(['space:alpha:read', 'space:alpha:admin', 'space:beta:read']);
    expect((await api.call('GET', '/v1/spaces/alpha/keys', { key: token })).status).toBe(200);
    expect((await api.call('GET', '/v1/spaces/beta/keys', { key: token })).status).toBe(403);
  });

  it('audits a person’s writes under their subject, not a key', async () => {
    const admin = as(['space:alpha:admin'], { sub: 'a1b2c3d4-0000-4000-8000-0000000000ad' });
    const minted = await api.call('POST', '/v1/spaces/alpha/keys', {
      key: admin,
      body: { name: 'minted by a person', role: 'read' },
    });
    expect(minted.status).toBe(201);
    const log = await api.call('GET', '/v1/spaces/alpha/audit-log?limit=1', { key: admin });
    expect(log.body.items[0]).toEqual({
      at: expect.any(String),
      keyId: null,
      subject: 'a1b2c3d4-0000-4000-8000-0000000000ad',
      grantId: null,
      action: 'key.create',
      target: `keys/${minted.body.id}`,
    });
  });

  it('reads one entry of a person’s space, and no entry of another space by its id', async () => {
    const token = as(['space:alpha:read']);
    const own = await api.call('GET', `${alpha}/${hello.id}`, { key: token });
    expect([own.status, own.body.slug]).toEqual([200, 'hello']);
    const other = await api.call('GET', `${alpha}/${betaEntry.id}`, { key: token });
    expect(other.status).toBe(404);
  });

  it('still accepts keys, audited by key id', async () => {
    const r = await api.call('POST', alpha, {
      key: writerKey,
      body: { contentType: 'article', slug: 'by-a-key', fields: {} },
    });
    expect(r.status).toBe(201);
    const admin = as(['space:alpha:admin']);
    const log = await api.call('GET', '/v1/spaces/alpha/audit-log?limit=1', { key: admin });
    expect(log.body.items[0]).toMatchObject({
      keyId: writerId,
      subject: null,
      action: 'entry.create',
      target: `entries/${r.body.id}`,
    });
  });
});

describe('key management restricted to people', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await ApiHarness.start(['alpha'], 3600, { people, keyManagement: 'people' });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('refuses an admin key on every key route, and keeps its other admin rights', async () => {
    const admin = (await api.key('alpha', 'admin')).key;
    const calls: [string, string, object?][] = [
      ['GET', '/v1/spaces/alpha/keys'],
      ['POST', '/v1/spaces/alpha/keys', { name: 'k', role: 'read' }],
      ['POST', '/v1/spaces/alpha/keys/00000000-0000-4000-8000-000000000000/rotate'],
      ['DELETE', '/v1/spaces/alpha/keys/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [method, path, body] of calls) {
      const r = await api.call(method, path, { key: admin, body });
      expect([method, path, r.status]).toEqual([method, path, 403]);
    }
    expect((await api.call('GET', '/v1/spaces/alpha/audit-log', { key: admin })).status).toBe(200);
  });

  it('lets a person with the admin role mint a key', async () => {
    const token = pool.accessToken({ 'cognito:groups': ['space:alpha:admin'] });
    const r = await api.call('POST', '/v1/spaces/alpha/keys', {
      key: token,
      body: { name: 'ci', role: 'read' },
    });
    expect(r.status).toBe(201);
  });
});

describe('an API without a user pool', () => {
  it('answers every access token with 401', async () => {
    const api = await ApiHarness.start(['alpha']);
    try {
      const token = pool.accessToken({ 'cognito:groups': ['space:alpha:admin'] });
      expect((await api.call('GET', alpha, { key: token })).status).toBe(401);
    } finally {
      await api.stop();
    }
  });
});

describe('rolesFromGroups', () => {
  it('maps space groups to the strongest role per space and ignores the rest', () => {
    expect(
      rolesFromGroups([
        'space:alpha:read',
        'space:alpha:write',
        'space:beta:admin',
        'space:beta:read',
        'space:Gamma:read',
        'space:delta:owner',
        'eu-west-1_TestPool1_CorporateIdP',
      ]),
    ).toEqual(
      new Map([
        ['alpha', 'write'],
        ['beta', 'admin'],
      ]),
    );
  });
});

describe('people settings of the runtime', () => {
  const env = {
    PEOPLE_USER_POOL_ID: pool.userPoolId,
    PEOPLE_CLIENT_ID: pool.clientId,
    PEOPLE_JWKS: JSON.stringify(pool.jwks),
  };

  it('verifies a person’s token with the pool of its environment', async () => {
    const verifier = peopleFrom(env)!;
    const claims = await verifier.verify(pool.accessToken({ 'cognito:groups': ['space:a:read'] }));
    expect(claims).toEqual({ subject: expect.any(String), groups: ['space:a:read'] });
  });

  it('accepts keys only without a pool', () => {
    expect(peopleFrom({})).toBeUndefined();
  });

  it.each([
    ['not JSON', '{keys'],
    ['no keys', '{"keys":[]}'],
  ])('fails at cold start when PEOPLE_JWKS is %s', (_, jwks) => {
    expect(() => peopleFrom({ ...env, PEOPLE_JWKS: jwks })).toThrow(/PEOPLE_JWKS/);
  });

  it('reads KEY_MANAGEMENT, refusing unknown values', () => {
    expect(keyManagementFrom({})).toBe('admins');
    expect(keyManagementFrom({ KEY_MANAGEMENT: 'people' })).toBe('people');
    expect(() => keyManagementFrom({ KEY_MANAGEMENT: 'nobody' })).toThrow(/KEY_MANAGEMENT/);
  });
});
