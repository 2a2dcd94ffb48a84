/**
 * The smallest HTTP(S) client the smoke checks need: one request with a deadline, its
 * status, headers, the start of its body and the negotiated TLS protocol, and a bare
 * TLS handshake. Plain `node:http`, `node:https` and `node:tls`; certificates are always
 * verified (against node's roots, or the CA a test passes).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import * as tls from 'node:tls';

/** How long one request or handshake may take, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The most of a response body that is kept (evidence and JSON bodies are short). */
const MAX_BODY_CHARS = 64 * 1024;

/** How long a request that failed while sending still waits for an answer already on its way. */
const LATE_ANSWER_MS = 250;

/** What a server answered. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as text, at most 64 KiB of it. */
  readonly body: string;
  /** The TLS protocol of the connection (`TLSv1.3`), for https only. */
  readonly protocol?: string;
}

/** One request. */
export interface RequestOptions {
  /** @default 'GET' */
  readonly method?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  /** Sent in chunks; sending stops as soon as the server answers. */
  readonly body?: Buffer;
  /** CA certificates to trust instead of node's (tests). */
  readonly ca?: string | Buffer;
  /** @default DEFAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** A request or handshake that got no answer: its error code and one line. */
export class RequestFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailed';
  }
}

/** `code: message` of any error from a socket, one line (an OpenSSL error: its reason only). */
export function describeError(err: unknown): string {
  const {
    code,
    message: text,
    name,
  } = (err ?? {}) as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
  };
  if (typeof text !== 'string') return String(err);
  const line = (text.split('\n')[0] ?? '').trim();
  const message = /SSL routines:[^:]*:([^:]+)/.exec(line)?.[1] ?? line;
  if (typeof code === 'string' && code && !message.includes(code)) return `${code}: ${message}`;
  return message || (typeof code === 'string' ? code : String(name));
}

/** The error code of a socket error (`ECONNREFUSED`), or `ERROR`. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code ? code : 'ERROR';
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Sends one request to `url` and resolves with the answer, or rejects with a
 * {@link RequestFailed} (refused, reset, timed out, certificate not trusted). An error
 * while sending the body after the server answered (EPIPE, ECONNRESET: a server that
 * refuses a body closes early) does not hide the answer.
 */
export function request(url: URL, options: RequestOptions = {}): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secure = url.protocol === 'https:';
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const finish = (outcome: { answer: HttpAnswer } | { error: RequestFailed }) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      if ('answer' in outcome) resolve(outcome.answer);
      else reject(outcome.error);
    };
    const failWith = (err: unknown) =>
      finish({ error: new RequestFailed(errorCode(err), describeError(err)) });

    const requestOptions: https.RequestOptions = {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
      ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const req = (secure ? https : http).request(url, requestOptions, (res) => {
      answered = true;
      const protocol = secure ? ((res.socket as TLSSocket).getProtocol() ?? undefined) : undefined;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY_CHARS) body = (body + chunk).slice(0, MAX_BODY_CHARS);
      });
      const done = () =>
        finish({ answer: { status: res.statusCode ?? 0, headers: res.headers, body, protocol } });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    const deadline = setTimeout(
      () => failWith(new RequestFailed('ETIMEDOUT', `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (err) => {
      if (answered) return;
      setTimeout(() => failWith(err), LATE_ANSWER_MS).unref();
    });
    void sendBody(req, options.body, () => answered || settled);
  });
}

/**
 * How long a large body waits after its first chunk for an early answer: a server that
 * refuses a body by its `Content-Length` answers at once and may reset the connection,
 * and a reset that arrives while the client is still writing loses the answer.
 */
const EARLY_ANSWER_MS = 200;

/**
 * Writes `body` in chunks, waiting for drain, until it is sent or `stop()` holds; after
 * the first chunk of a larger body it gives the server {@link EARLY_ANSWER_MS} to answer.
 */
async function sendBody(
  req: http.ClientRequest,
  body: Buffer | undefined,
  stop: () => boolean,
): Promise<void> {
  if (!body) {
    req.end();
    return;
  }
  for (let at = 0; at < body.length; at += CHUNK_BYTES) {
    if (at === CHUNK_BYTES) await new Promise((resolve) => setTimeout(resolve, EARLY_ANSWER_MS));
    if (stop() || req.destroyed) return;
    const more = req.write(body.subarray(at, at + CHUNK_BYTES));
    if (!more) {
      await new Promise<void>((resolve) => {
        req.once('drain', resolve);
        req.once('close', resolve);
      });
    }
  }
  if (!stop() && !req.destroyed) req.end();
}

/** How a TLS handshake ended. */
export type Handshake =
  | { readonly kind: 'accepted'; readonly protocol: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'unreachable'; readonly reason: string };

/** Options of {@link handshake}. */
export interface HandshakeOptions extends Pick<tls.ConnectionOptions, 'minVersion' | 'maxVersion'> {
  readonly ciphers?: string;
  readonly ca?: string | Buffer;
  /** @default DEFAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** Errors that mean the TCP connection never reached a TLS server. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/** Certificate errors: the handshake got as far as the certificate, so the protocol was agreed. */
const CERTIFICATE_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME_INVALID/;

/**
 * A TLS handshake with `host:port` limited as `options` say, closed as soon as it ends:
 * accepted (with the agreed protocol), refused by the server, or the server not reached.
 */
export function handshake(
  host: string,
  port: number,
  options: HandshakeOptions = {},
): Promise<Handshake> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<Handshake>((resolve) => {
    let settled = false;
    const finish = (outcome: Handshake) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(outcome);
    };
    const socket = tls.connect({
      host,
      port,
      servername: isIp(host) ? undefined : host,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ciphers: options.ciphers,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
    const deadline = setTimeout(
      () =>
        finish({ kind: 'unreachable', reason: `ETIMEDOUT: no handshake within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('secureConnect', () =>
      finish({ kind: 'accepted', protocol: socket.getProtocol() ?? 'unknown' }),
    );
    socket.once('error', (err) => {
      const code = errorCode(err);
      if (CERTIFICATE_ERROR.test(code)) {
        finish({
          kind: 'accepted',
          protocol: `${socket.getProtocol() ?? 'a legacy protocol'} (certificate: ${code})`,
        });
      } else if (UNREACHABLE.has(code)) {
        finish({ kind: 'unreachable', reason: describeError(err) });
      } else {
        finish({ kind: 'refused', reason: describeError(err) });
      }
    });
    socket.once('close', () => finish({ kind: 'refused', reason: 'connection closed' }));
  });
}

/** Whether `host` is an IP address (no SNI is sent to one). */
function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
