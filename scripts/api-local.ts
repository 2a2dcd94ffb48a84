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

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const own = process.env.DATABASE_URL ? undefined : await startThrowawayPostgres();
  const databaseUrl = process.env.DATABASE_URL ?? own!.url;
  const stopDatabase = () => own?.stop();
  process.on('exit', stopDatabase);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));

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

  const server = http.createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const body = await readBody(req);
    const response =
      body === undefined
        ? json(413, {
            error: { code: 'payload_too_large', message: 'The body must be at most 1 MiB' },
          })
        : await runtime.handle(toApiRequest(albEvent(req, body)));
    const result = toAlbResult(response);
    res.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders);
    res.end(req.method === 'HEAD' ? undefined : result.body);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log(
      `${req.method} ${new URL(req.url ?? '/', 'http://localhost').pathname} ${result.statusCode} ${ms.toFixed(1)}ms`,
    );
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
}

main().catch((err) => {
  console.error(err instanceof OperatorError ? `api:local: ${err.message}` : err);
  process.exit(1);
});
