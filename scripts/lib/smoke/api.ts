/**
 * The content API through the edge: no key is refused (API-AUTHZ), a published entry is
 * served from CloudFront's cache (AVL-CDN), an oversized body is refused by the WAF
 * itself (WAF-EDGE).
 */
import { MAX_BODY_BYTES, WAF_RESPONSE_BODIES } from '../../../lib/constructs/waf-rules';
import { type CheckResult, fail, failWithFix, pass, skip } from '../verify/types';
import type { HttpAnswer } from './http';
import {
  DEFAULT_SPACE,
  type Reply,
  type SmokeTarget,
  bodySnippet,
  fetchFrom,
  header,
  isErrorBody,
  jsonBody,
  requestLabel,
} from './target';

/** The control of the unauthenticated-request check. */
export const AUTH_CONTROL = 'API-AUTHZ';
/** The control of the cache check. */
export const CACHE_CONTROL = 'AVL-CDN';
/** The control of the oversized-body check. */
export const WAF_CONTROL = 'WAF-EDGE';

/** The check names of this group. */
export const API_CHECKS = {
  unauthenticated: 'GET /v1/spaces/<space>/entries without a key answers 401 with the error JSON',
  cached: 'a published entry is served with Cache-Control public and a CloudFront cache hit',
  oversized: `a body over ${MAX_BODY_BYTES} bytes is refused by the WAF with 413 and its JSON`,
} as const;

/** How often the cache check reads the entry before giving up on a hit. */
export const CACHE_ATTEMPTS = 3;

/** `X-Cache` of an answer CloudFront served from its cache. */
export const CACHE_HIT = /^(Hit|RefreshHit) from cloudfront$/i;

const entriesPath = (space: string) => `/v1/spaces/${encodeURIComponent(space)}/entries`;

/** `GET /v1/spaces/<space>/entries` without Authorization: 401 and `{"error":{"code","message"}}`. */
export async function checkUnauthenticated(target: SmokeTarget): Promise<CheckResult> {
  const path = entriesPath(target.space ?? DEFAULT_SPACE);
  const label = requestLabel('GET', target.baseUrl, path);
  const reply = await fetchFrom(target, target.baseUrl, path);
  return judgeUnauthenticated(label, reply);
}

function judgeUnauthenticated(label: string, reply: Reply): CheckResult {
  const check = API_CHECKS.unauthenticated;
  if ('error' in reply) return fail(AUTH_CONTROL, check, `${label}: ${reply.error.message}`);
  const { answer } = reply;
  const body = jsonBody(answer);
  if (answer.status === 401 && isErrorBody(body)) {
    return pass(AUTH_CONTROL, check, `${label}: 401 ${body.error.code}`);
  }
  return failWithFix(
    AUTH_CONTROL,
    check,
    `${label}: ${answer.status} ${bodySnippet(answer)} (expected 401 {"error":{"code","message"}})`,
    'Every /v1 route must authorize its caller (lambda/content-api): find why this one answered without a key, fix it and redeploy the App stack',
  );
}

/**
 * Lists one published entry of the space with the read key, then reads it up to
 * {@link CACHE_ATTEMPTS} times until CloudFront answers from its cache. SKIP without a
 * key or a space. The key is sent only in `Authorization` and never appears in a result.
 */
export async function checkCachedEntry(
  target: SmokeTarget,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<CheckResult> {
  const check = API_CHECKS.cached;
  const missing = [
    target.readKey ? undefined : 'SMOKE_READ_KEY (a read key of the space)',
    target.space ? undefined : '--space or SMOKE_SPACE',
  ].filter((m) => m !== undefined);
  if (missing.length > 0) return skip(CACHE_CONTROL, check, `needs ${missing.join(' and ')}`);
  const space = target.space!;
  const headers = { authorization: `Bearer ${target.readKey}` };

  const listPath = `${entriesPath(space)}?limit=1`;
  const listLabel = requestLabel('GET', target.baseUrl, listPath);
  const listed = await fetchFrom(target, target.baseUrl, listPath, { headers });
  if ('error' in listed) return fail(CACHE_CONTROL, check, `${listLabel}: ${listed.error.message}`);
  if (listed.answer.status !== 200) {
    return failWithFix(
      CACHE_CONTROL,
      check,
      `${listLabel}: ${listed.answer.status} ${bodySnippet(listed.answer)}`,
      `Set SMOKE_READ_KEY to a live read key of space ${space}`,
    );
  }
  const items = (jsonBody(listed.answer) as { items?: unknown } | undefined)?.items;
  const id = Array.isArray(items) ? (items[0] as { id?: unknown } | undefined)?.id : undefined;
  if (typeof id !== 'string' || id === '') {
    return failWithFix(
      CACHE_CONTROL,
      check,
      `${listLabel}: no published entry in space ${space}`,
      `Publish an entry in space ${space} (POST /v1/spaces/${space}/entries/<id>/publish with a write key)`,
    );
  }

  const entryPath = `${entriesPath(space)}/${encodeURIComponent(id)}`;
  const entryLabel = requestLabel('GET', target.baseUrl, entryPath);
  const seen: string[] = [];
  let last: HttpAnswer | undefined;
  for (let attempt = 1; attempt <= CACHE_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(target.retryDelayMs);
    const reply = await fetchFrom(target, target.baseUrl, entryPath, { headers });
    if ('error' in reply) {
      seen.push(reply.error.code);
      continue;
    }
    last = reply.answer;
    const xCache = header(reply.answer, 'x-cache');
    seen.push(`${reply.answer.status} ${xCache ?? '(no X-Cache)'}`);
    const cacheControl = header(reply.answer, 'cache-control') ?? '';
    if (
      reply.answer.status === 200 &&
      /\bpublic\b/i.test(cacheControl) &&
      CACHE_HIT.test(xCache?.trim() ?? '')
    ) {
      return pass(
        CACHE_CONTROL,
        check,
        `${entryLabel}: Cache-Control ${cacheControl}; X-Cache seen: ${seen.join(', ')}`,
      );
    }
  }
  const cacheControl = last ? (header(last, 'cache-control') ?? '(none)') : '(no answer)';
  return failWithFix(
    CACHE_CONTROL,
    check,
    `${entryLabel}: no cache hit in ${CACHE_ATTEMPTS} reads; Cache-Control ${cacheControl}; X-Cache seen: ${seen.join(', ')}`,
    'Published reads must say Cache-Control public (lambda/content-api) and /v1/* must use the API cache policy (lib/constructs/content-distribution.ts); redeploy and retry',
  );
}

/** A JSON body of exactly `bytes` bytes. */
export function oversizedBody(bytes: number): Buffer {
  const frame = '{"contentType":"smoke","slug":"smoke","fields":{"x":""}}';
  return Buffer.from(frame.replace('""', `"${'a'.repeat(Math.max(0, bytes - frame.length))}"`));
}

/**
 * `POST /v1/spaces/<space>/entries` with a `Content-Length` of {@link MAX_BODY_BYTES} + 1:
 * 413 with exactly the WAF's JSON body (the API's own 413 says something else).
 */
export async function checkOversizedBody(target: SmokeTarget): Promise<CheckResult> {
  const check = API_CHECKS.oversized;
  const path = entriesPath(target.space ?? DEFAULT_SPACE);
  const label = requestLabel('POST', target.baseUrl, path);
  const body = oversizedBody(MAX_BODY_BYTES + 1);
  const reply = await fetchFrom(target, target.baseUrl, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': body.length },
    body,
  });
  if ('error' in reply) return fail(WAF_CONTROL, check, `${label}: ${reply.error.message}`);
  const { answer } = reply;
  const { status, code, message } = WAF_RESPONSE_BODIES.tooLarge;
  const parsed = jsonBody(answer);
  if (
    answer.status === status &&
    isErrorBody(parsed) &&
    parsed.error.code === code &&
    parsed.error.message === message
  ) {
    return pass(WAF_CONTROL, check, `${label} (${body.length} bytes): ${status} ${code}`);
  }
  return failWithFix(
    WAF_CONTROL,
    check,
    `${label} (${body.length} bytes): ${answer.status} ${bodySnippet(answer)} (expected ${status} ${JSON.stringify({ error: { code, message } })} from the WAF)`,
    'The OversizedRequests rule (lib/constructs/waf-rules.ts) must block with the tooLarge body: check the edge web ACL is associated with the distribution (npm run verify -- --stage <stage>)',
  );
}
