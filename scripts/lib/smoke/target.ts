import { type HttpAnswer, type RequestOptions, RequestFailed, request } from './http';

/** The deployed stage as the smoke checks reach it: its public addresses and what to send. */
export interface SmokeTarget {
  /** `https://<domain>` (the stage's public domain, or `--base-url`). */
  readonly baseUrl: URL;
  /** Where plain HTTP is tried: `http://<host of the base>/`, or `--http-url`. */
  readonly httpUrl: URL;
  /** The space of the API checks (`--space`, `SMOKE_SPACE`); unset when neither is given. */
  readonly space?: string;
  /** A read key of `space` (`SMOKE_READ_KEY`); never printed. */
  readonly readKey?: string;
  /** CA certificates to trust instead of node's (tests). */
  readonly ca?: string | Buffer;
  /** The deadline of each request, in milliseconds. */
  readonly timeoutMs: number;
  /** The pause between the reads of the cache check, in milliseconds. */
  readonly retryDelayMs: number;
}

/** The space of the checks that need no key: the given one, else `smoke`. */
export const DEFAULT_SPACE = 'smoke';

/** An answer from the stage, or the error that stopped the request. */
export type Reply = { readonly answer: HttpAnswer } | { readonly error: RequestFailed };

/** Requests `path` under `base` with the target's CA and deadline; never rejects. */
export async function fetchFrom(
  target: SmokeTarget,
  base: URL,
  path: string,
  options: Omit<RequestOptions, 'ca' | 'timeoutMs'> = {},
): Promise<Reply> {
  try {
    const answer = await request(new URL(path, base), {
      ...options,
      ca: target.ca,
      timeoutMs: target.timeoutMs,
    });
    return { answer };
  } catch (err) {
    return {
      error: err instanceof RequestFailed ? err : new RequestFailed('ERROR', String(err)),
    };
  }
}

/** `<METHOD> <url>` of a request, for evidence. */
export const requestLabel = (method: string, base: URL, path: string) =>
  `${method} ${new URL(path, base).toString()}`;

/** The body as JSON, or undefined when it is not. */
export function jsonBody(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

/** The first value of a header (node joins most repeated headers already). */
export function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Whether `body` is the API's error JSON, `{"error":{"code","message"}}`. */
export function isErrorBody(body: unknown): body is { error: { code: string; message: string } } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The body, cut to one short line, for evidence. */
export function bodySnippet(answer: HttpAnswer): string {
  const line = answer.body.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || '(empty body)';
}
