/**
 * `npm run api:local`
 *
 * Serves the content API on http://127.0.0.1:${PORT:-3000} with the same handler
 * code as the Lambda, translating HTTP to ALB events and back. Uses DATABASE_URL
 * when set; otherwise starts a throwaway PostgreSQL of its own, removed on exit.
 * Runs the migrations, ensures space `demo`, and prints an admin key for it
 * (BOOTSTRAP_ADMIN_KEY, or a new one). Needs no AWS access: CDN invalidations are
 * logged instead of queued.
 */
import * as http from 'node:http';
import type { ALBEvent } from 'aws-lambda';
import { toAlbResult, toApiRequest } from '../lambda/content-api/alb';
import { MAX_BODY_BYTES } from '../lambda/content-api/api';
import { json } from '../lambda/content-api/http';
import { createRuntime } from '../lambda/content-api/runtime';
import { defineCommand, failed, runMain } from './lib/cli';
import {
  OperatorError,
  checkKey,
  createSpaceWithAdmin,
  operatorPepper,
  LOCAL_PEPPER,
} from './lib/spaces';
import { startThrowawayPostgres } from './lib/throwaway-postgres';

/** The ALB event an HTTP request would become (query values URL-encoded, as the ALB sends them). */
export function albEvent(req: http.IncomingMessage, body: string): ALBEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[encodeURIComponent(k)] = encodeURIComponent(v);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  return {
    requestContext: { elb: { targetGroupArn: 'local' } },
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    queryStringParameters: query,
    headers,
    body,
    isBase64Encoded: false,
  };
}

/** A request's body: its text, `too-large` past 1 MiB, or `aborted` when the client went away. */
type Body = { text: string } | 'too-large' | 'aborted';

/**
 * Reads a request's body. Never rejects: a client that aborts mid-body (or whose
 * connection fails) gives `aborted`, and that request is dropped while the server
 * keeps serving the others.
 */
export function readBody(req: http.IncomingMessage): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (body: Body) => {
      if (settled) return;
      settled = true;
      resolve(body);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        settle('too-large');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => settle({ text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => settle('aborted'));
    req.on('close', () =>
      settle(req.complete ? { text: Buffer.concat(chunks).toString('utf8') } : 'aborted'),
    );
  });
}

/** `npm run api:local`. */
export const command = defineCommand({
  name: 'api:local',
  usage: '',
  summary:
    'Serves the content API on http://127.0.0.1:${PORT:-3000} with the same handler code as the Lambda.',
  description: `Uses DATABASE_URL when set; otherwise starts a throwaway PostgreSQL of its own, removed
on exit. Runs the migrations, ensures space demo, and prints an admin key for it
(BOOTSTRAP_ADMIN_KEY, or a new one). Key hashes use API_KEY_PEPPER, or a fixed local
pepper. Needs no AWS access: CDN invalidations are logged instead of queued.`,
  options: {},
  exitCodes: '0 stopped by SIGINT or SIGTERM, 1 it could not start, 2 bad arguments.',
  run: async () => {
    try {
      return await serveUntilSignal();
    } catch (err) {
      if (err instanceof OperatorError) return failed(`api:local: ${err.message}`);
      throw err;
    }
  },
});

/** Serves until SIGINT or SIGTERM, then resolves with exit code 0. */
async function serveUntilSignal(): Promise<number> {
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => resolve(0));
  });
  const port = Number(process.env.PORT ?? 3000);
  const own = process.env.DATABASE_URL ? undefined : await startThrowawayPostgres();
  const databaseUrl = process.env.DATABASE_URL ?? own!.url;
  const stopDatabase = () => own?.stop();
  process.on('exit', stopDatabase);

  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const runtime = createRuntime(
    {
      ...process.env,
      DATABASE_URL: databaseUrl,
      API_KEY_PEPPER: process.env.API_KEY_PEPPER ?? LOCAL_PEPPER,
    },
    {
      error: (message, detail) => log(`ERROR ${message} ${JSON.stringify(detail)}`),
      info: (message, detail) => log(`${message} ${JSON.stringify(detail)}`),
    },
  );
  const bootstrap = process.env.BOOTSTRAP_ADMIN_KEY;
  const { key } = await createSpaceWithAdmin(runtime.pool, 'demo', operatorPepper(), {
    key: bootstrap && checkKey(bootstrap, 'BOOTSTRAP_ADMIN_KEY'),
    existingOk: true,
  });

  const path = (req: http.IncomingMessage) => {
    try {
      return new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return '(unparsable)';
    }
  };
  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const body = await readBody(req);
    if (body === 'aborted') {
      log(`${req.method} ${path(req)} dropped: the client aborted the request`);
      return;
    }
    const response =
      body === 'too-large'
        ? json(413, {
            error: { code: 'payload_too_large', message: 'The body must be at most 1 MiB' },
          })
        : await runtime.handle(toApiRequest(albEvent(req, body.text)));
    const result = toAlbResult(response);
    if (res.destroyed) {
      log(`${req.method} ${path(req)} dropped: the client went away before the answer`);
      return;
    }
    res.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders);
    res.end(req.method === 'HEAD' ? undefined : result.body);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log(`${req.method} ${path(req)} ${result.statusCode} ${ms.toFixed(1)}ms`);
  }
  const server = http.createServer((req, res) => {
    // A socket error after the answer started must not end the server.
    res.on('error', (err) => log(`${req.method} ${path(req)} connection error: ${err.message}`));
    serve(req, res).catch((err: unknown) => {
      log(`ERROR ${req.method} ${path(req)} ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent && !res.destroyed) {
        const r = toAlbResult(
          json(500, { error: { code: 'internal_error', message: 'Something went wrong' } }),
        );
        res.writeHead(r.statusCode, r.headers as http.OutgoingHttpHeaders).end(r.body);
      } else {
        res.destroy();
      }
    });
  });
  // Malformed HTTP, or a connection reset mid-request: answer 400 if possible, else drop.
  server.on('clientError', (_err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(
      `Content API on http://127.0.0.1:${port} (database: ${own ? `${own.url}, throwaway, removed on exit` : 'DATABASE_URL'})`,
    );
    console.log(
      `Space 'demo' admin key${bootstrap ? ' (BOOTSTRAP_ADMIN_KEY)' : ' (shown once)'}: ${bootstrap ? '[as given]' : key}`,
    );
    console.log(
      `Try: curl -H "Authorization: Bearer <key>" http://127.0.0.1:${port}/v1/spaces/demo/entries`,
    );
  });
  return stopped;
}

runMain(command, module);
