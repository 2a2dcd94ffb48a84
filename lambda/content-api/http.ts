/** A request as the API sees it, whether from the ALB or the local server. */
export interface ApiRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Decoded query parameters (last value wins). */
  readonly query: Record<string, string>;
  /** Headers with lower-case names. */
  readonly headers: Record<string, string>;
  /** Raw body text, if any. */
  readonly body?: string;
}

/** A response before it is serialized. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text, or undefined for an empty body. */
  readonly body?: string;
}

/** Headers every response carries (HDR-SECURE at the origin). */
export const SECURITY_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
} as const;

/** Cache policy of published reads (AVL-CDN): fresh for a minute, stale on error for a day. */
export const PUBLIC_CACHE = 'public, max-age=60, stale-while-revalidate=60, stale-if-error=86400';
export const NO_STORE = 'no-store';

/** A response with a JSON body already rendered (`undefined`: no body). */
export const jsonText = (
  status: number,
  text: string | undefined,
  headers: Record<string, string> = {},
): ApiResponse => ({
  status,
  headers: { ...SECURITY_HEADERS, 'Cache-Control': NO_STORE, ...headers },
  body: text,
});

export const json = (
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): ApiResponse =>
  jsonText(status, value === undefined ? undefined : JSON.stringify(value), headers);
