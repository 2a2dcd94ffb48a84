/**
 * A local stand-in for a stage's public edge, for `npm run smoke`: an HTTPS server with
 * a throwaway self-signed certificate (made with the `openssl` CLI) that answers like a
 * compliant CloudFront distribution in front of the content API, and a plain HTTP server
 * that redirects. Each {@link EdgeDefects} switch breaks one promise.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { HSTS_MIN_SECONDS } from '../../lib/compliance/bulwark-rules';
import { CONTENT_SECURITY_POLICY } from '../../lib/constructs/security-headers';
import { MAX_BODY_BYTES, WAF_RESPONSE_BODIES } from '../../lib/constructs/waf-rules';

/** A self-signed certificate for `localhost` and 127.0.0.1, in a directory of its own. */
export interface TestCertificate {
  readonly key: Buffer;
  readonly cert: Buffer;
  /** Removes the directory. */
  remove(): void;
}

/** Makes a one-day certificate with `openssl req -x509`. */
export function makeCertificate(): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-smoke-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: fs.readFileSync(keyFile),
    cert: fs.readFileSync(certFile),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the edge gets wrong; each switch breaks one check. */
export interface EdgeDefects {
  /** The Strict-Transport-Security value; null leaves it out. */
  readonly hsts?: string | null;
  readonly csp?: string;
  readonly server?: string;
  /** Plain HTTP answers /health with 200 instead of redirecting. */
  readonly plainHttpServes?: boolean;
  /** The HTTPS server also accepts TLS 1.0 and 1.1. */
  readonly legacyTls?: boolean;
  /** Entries are listed without a key. */
  readonly unauthenticatedOk?: boolean;
  /** Entries are never served from the cache. */
  readonly neverHit?: boolean;
  /** An oversized body reaches the API, which answers its own 413. (Either 413 is answered
   * when the headers arrive, and the connection is dropped before the body is read.) */
  readonly apiTooLarge?: boolean;
  /** The space has no published entry. */
  readonly noEntries?: boolean;
  /** The list answers 403 with a body that repeats the Authorization header. */
  readonly echoAuthorization?: boolean;
}

/** The running edge. */
export interface Edge {
  readonly baseUrl: string;
  readonly httpUrl: string;
  /** Stops both servers. */
  close(): Promise<void>;
}

/** The read key the edge accepts for space `smoke-space`. */
export const EDGE_READ_KEY = 'bwk_read_0123456789abcdefSECRETsecret';
/** The space that holds the published entry. */
export const EDGE_SPACE = 'smoke-space';

const listen = (server: net.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

const closeServer = (server: net.Server) =>
  new Promise<void>((resolve) => {
    (server as http.Server).closeAllConnections?.();
    server.close(() => resolve());
  });

/** Starts an edge on 127.0.0.1 (HTTPS at `https://localhost:<port>`) with `defects`. */
export async function startEdge(
  certificate: TestCertificate,
  defects: EdgeDefects = {},
): Promise<Edge> {
  const securityHeaders: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': defects.csp ?? CONTENT_SECURITY_POLICY,
    server: defects.server ?? 'CloudFront',
  };
  const hsts =
    defects.hsts === undefined
      ? `max-age=${HSTS_MIN_SECONDS}; includeSubDomains; preload`
      : defects.hsts;
  if (hsts !== null) securityHeaders['strict-transport-security'] = hsts;
  const reads = new Map<string, number>();

  const json = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { ...securityHeaders, 'content-type': 'application/json', ...extra });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string) =>
    json(res, status, { error: { code, message } });

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const authorized = req.headers.authorization === `Bearer ${EDGE_READ_KEY}`;
    if (url.pathname === '/health') return json(res, 200, { status: 'ok' });
    if (req.method === 'POST' && Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      const { status, code, message } = WAF_RESPONSE_BODIES.tooLarge;
      res.setHeader('connection', 'close');
      res.on('finish', () => req.socket.destroy());
      return defects.apiTooLarge
        ? error(res, 413, 'payload_too_large', 'The body must be at most 1 MiB')
        : error(res, status, code, message);
    }
    const list = /^\/v1\/spaces\/([^/]+)\/entries$/.exec(url.pathname);
    const entry = /^\/v1\/spaces\/([^/]+)\/entries\/([^/]+)$/.exec(url.pathname);
    if (!authorized && !(list && defects.unauthenticatedOk)) {
      if (defects.echoAuthorization && req.headers.authorization) {
        return error(res, 403, 'forbidden', `refused ${req.headers.authorization}`);
      }
      return error(res, 401, 'unauthorized', 'A valid API key is required');
    }
    if (list) {
      const items =
        list[1] === EDGE_SPACE && !defects.noEntries
          ? [{ id: 'entry-1', status: 'published' }]
          : [];
      return json(res, 200, { items, nextCursor: null }, { 'cache-control': 'no-store' });
    }
    if (entry && entry[1] === EDGE_SPACE && entry[2] === 'entry-1') {
      const seen = reads.get(url.pathname) ?? 0;
      reads.set(url.pathname, seen + 1);
      return json(
        res,
        200,
        { id: 'entry-1', status: 'published', fields: {} },
        {
          'cache-control': 'public, max-age=60, stale-while-revalidate=60, stale-if-error=86400',
          'x-cache': seen > 0 && !defects.neverHit ? 'Hit from cloudfront' : 'Miss from cloudfront',
        },
      );
    }
    return error(res, 404, 'not_found', 'No such route');
  };

  const secure = https.createServer(
    {
      key: certificate.key,
      cert: certificate.cert,
      ...(defects.legacyTls ? { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    },
    handler,
  );
  const plain = http.createServer((req, res) => {
    if (defects.plainHttpServes) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    res.writeHead(301, { location: `https://localhost${req.url ?? '/'}` });
    res.end();
  });
  const [securePort, plainPort] = await Promise.all([listen(secure), listen(plain)]);
  return {
    baseUrl: `https://localhost:${securePort}`,
    httpUrl: `http://127.0.0.1:${plainPort}/`,
    close: async () => {
      await Promise.all([closeServer(secure), closeServer(plain)]);
    },
  };
}

/** A TCP server that accepts connections and never says anything (a request that times out). */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      return closeServer(server);
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}
