import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';

const ROOT = path.join(__dirname, '..', '..');
const tsx = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.drop());

describe('npm run space:create', () => {
  it('migrates, creates the space and prints its admin key', () => {
    const r = tsx('space-create.ts', ['--space', 'news'], { DATABASE_URL: db.url });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^bwk_[A-Za-z0-9_-]{43}$/);
  });

  it('uses a given admin key', () => {
    const key = `bwk_${randomBytes(32).toString('base64url')}`;
    const r = tsx('space-create.ts', ['--space', 'docs', '--admin-key', key], {
      DATABASE_URL: db.url,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(key);
  });

  it.each([
    [['--space', 'news'], "space 'news' already exists"],
    [['--space', 'Bad Space'], "space 'Bad Space' is invalid"],
    [['--space', 'ok', '--admin-key', 'short'], '--admin-key must look like a Bulwark key'],
  ])('refuses %p with exit code 1 and a clear message', (args, message) => {
    const r = tsx('space-create.ts', args, { DATABASE_URL: db.url });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [[], { DATABASE_URL: 'postgres://unused' }, 'space:create: --space is required (see --help)'],
    [['--space', 'news'], {}, 'space:create: DATABASE_URL must point at the content database'],
  ])('cannot run with %p and %p: exit code 2, one line', (args, env, line) => {
    const r = tsx('space-create.ts', args, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
  });
});

describe('npm run api:local', () => {
  let server: ChildProcess;
  let base: string;
  const key = `bwk_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', 'api-local.ts')],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: db.url,
          PORT: String(port),
          BOOTSTRAP_ADMIN_KEY: key,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`api:local did not start:\n${output}`)),
        20_000,
      );
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('Content API on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
    });
    expect(output).not.toContain(key); // the given key is never echoed
  });
  afterAll(() => {
    server.kill('SIGTERM');
  });

  it('serves the contract over HTTP with the bootstrap admin key of space demo', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    const auth = { authorization: `Bearer ${key}` };
    const created = await fetch(`${base}/v1/spaces/demo/entries`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ contentType: 'article', slug: 'from-http', fields: { t: 'ü' } }),
    });
    expect(created.status).toBe(201);
    const entry = (await created.json()) as { id: string };
    expect(created.headers.get('location')).toBe(`/v1/spaces/demo/entries/${entry.id}`);
    const list = await fetch(
      `${base}/v1/spaces/demo/entries?preview=true&contentType=article&limit=5`,
      { headers: auth },
    );
    expect(((await list.json()) as any).items.map((e: { slug: string }) => e.slug)).toContain(
      'from-http',
    );
    expect((await fetch(`${base}/v1/spaces/demo/entries`)).status).toBe(401);
  });

  it('answers 413 to a body over 1 MiB without buffering it', async () => {
    const r = await fetch(`${base}/v1/spaces/demo/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(r.status).toBe(413);
    expect(((await r.json()) as any).error.code).toBe('payload_too_large');
  });

  /** Sends the start of a request whose body never completes, then cuts the connection. */
  const abortMidBody = (how: 'end' | 'reset') =>
    new Promise<void>((resolve, reject) => {
      const url = new URL(base);
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          'POST /v1/spaces/demo/entries HTTP/1.1\r\nHost: localhost\r\n' +
            `Authorization: Bearer ${key}\r\nContent-Type: application/json\r\n` +
            'Content-Length: 100000\r\n\r\n{"contentType":"article","slug":"cut',
          () =>
            setTimeout(() => {
              if (how === 'reset') socket.resetAndDestroy();
              else socket.end();
              resolve();
            }, 50),
        );
      });
      socket.on('error', reject);
    });

  it.each(['end', 'reset'] as const)(
    'drops a request the client aborts mid-body (%s) and keeps serving, storing nothing',
    async (how) => {
      for (let i = 0; i < 3; i++) await abortMidBody(how);
      await new Promise((r) => setTimeout(r, 200));
      expect(server.exitCode).toBeNull();
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const list = await fetch(`${base}/v1/spaces/demo/entries?preview=true&limit=100`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const slugs = ((await list.json()) as any).items.map((e: { slug: string }) => e.slug);
      expect(slugs.filter((s: string) => s.startsWith('cut'))).toEqual([]);
    },
  );
});
