/** ENC-TRANSIT from outside: /health over modern TLS, legacy TLS refused, no plain HTTP. */
import { type CheckResult, fail, failWithFix, pass } from '../verify/types';
import { type Handshake, handshake } from './http';
import {
  type Reply,
  type SmokeTarget,
  bodySnippet,
  fetchFrom,
  header,
  jsonBody,
  requestLabel,
} from './target';

/** The control of every transport check. */
export const TRANSPORT_CONTROL = 'ENC-TRANSIT';

/** The check names of this group, in report order. */
export const TRANSPORT_CHECKS = {
  health: 'GET /health answers 200 {"status":"ok"} over TLS 1.2+ with a trusted certificate',
  legacyTls: 'a TLS 1.0/1.1-only handshake is refused',
  plainHttp: 'plain HTTP is not served (redirect to https:// or refused)',
} as const;

const MODERN_TLS = new Set(['TLSv1.2', 'TLSv1.3']);

/** `GET <base>/health`, the answer both the TLS and the header checks judge. */
export const fetchHealth = (target: SmokeTarget): Promise<Reply> =>
  fetchFrom(target, target.baseUrl, '/health');

/** Judges the /health answer: 200, `{"status":"ok"}`, TLS 1.2 or 1.3. */
export function judgeHealth(target: SmokeTarget, reply: Reply): CheckResult {
  const check = TRANSPORT_CHECKS.health;
  const label = requestLabel('GET', target.baseUrl, '/health');
  if ('error' in reply) {
    return failWithFix(
      TRANSPORT_CONTROL,
      check,
      `${label}: ${reply.error.message}`,
      'Check that the stage is deployed, its DNS record points at the distribution and its certificate covers the domain',
    );
  }
  const { answer } = reply;
  const body = jsonBody(answer) as { status?: unknown } | undefined;
  const problems = [
    answer.status === 200 ? undefined : `status ${answer.status} (expected 200)`,
    body?.status === 'ok' ? undefined : `body ${bodySnippet(answer)} (expected {"status":"ok"})`,
    answer.protocol && MODERN_TLS.has(answer.protocol)
      ? undefined
      : `protocol ${answer.protocol ?? 'unknown'} (expected TLSv1.2 or TLSv1.3)`,
  ].filter((p) => p !== undefined);
  if (problems.length > 0)
    return fail(TRANSPORT_CONTROL, check, `${label}: ${problems.join('; ')}`);
  return pass(
    TRANSPORT_CONTROL,
    check,
    `${label}: 200 {"status":"ok"} over ${answer.protocol}, certificate trusted`,
  );
}

/** Tries a handshake that offers only TLS 1.0 and 1.1 with the base URL's host. */
export function legacyHandshake(target: SmokeTarget): Promise<Handshake> {
  const { hostname, port } = target.baseUrl;
  return handshake(hostname.replace(/^\[|\]$/g, ''), Number(port || 443), {
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.1',
    ciphers: 'DEFAULT@SECLEVEL=0',
    ca: target.ca,
    timeoutMs: target.timeoutMs,
  });
}

/** PASS when the legacy handshake was refused, FAIL when it completed or nothing answered. */
export function judgeLegacyHandshake(target: SmokeTarget, outcome: Handshake): CheckResult {
  const check = TRANSPORT_CHECKS.legacyTls;
  const where = target.baseUrl.host;
  switch (outcome.kind) {
    case 'refused':
      return pass(TRANSPORT_CONTROL, check, `${where} refused TLS 1.0/1.1: ${outcome.reason}`);
    case 'accepted':
      return failWithFix(
        TRANSPORT_CONTROL,
        check,
        `${where} completed a handshake at ${outcome.protocol}`,
        "The distribution's minimum protocol is TLS_V1_2_2025 (lib/constructs/content-distribution.ts): redeploy the Edge stack (npm run deploy -- --stage <stage>) and check the domain points at it",
      );
    case 'unreachable':
      return fail(TRANSPORT_CONTROL, check, `${where} not reached: ${outcome.reason}`);
  }
}

/** `GET <http-url>/health` over plain HTTP. */
export const fetchPlainHealth = (target: SmokeTarget): Promise<Reply> =>
  fetchFrom(target, target.httpUrl, 'health');

const REDIRECTS = new Set([301, 302, 307, 308]);

/** PASS for a redirect to https:// or a refused connection; FAIL for anything else. */
export function judgePlainHttp(target: SmokeTarget, reply: Reply): CheckResult {
  const check = TRANSPORT_CHECKS.plainHttp;
  const label = requestLabel('GET', target.httpUrl, 'health');
  if ('error' in reply) {
    return reply.error.code === 'ECONNREFUSED'
      ? pass(TRANSPORT_CONTROL, check, `${label}: connection refused`)
      : fail(TRANSPORT_CONTROL, check, `${label}: ${reply.error.message}`);
  }
  const { status } = reply.answer;
  const location = header(reply.answer, 'location');
  if (REDIRECTS.has(status) && location?.startsWith('https://')) {
    return pass(TRANSPORT_CONTROL, check, `${label}: ${status} to ${location}`);
  }
  const served = status >= 200 && status < 300;
  return failWithFix(
    TRANSPORT_CONTROL,
    check,
    `${label}: ${status}${location ? ` to ${location}` : ''}${served ? ' (served over plain HTTP)' : ''} (expected a redirect to https:// or a refused connection)`,
    'Every behaviour redirects to HTTPS (lib/constructs/content-distribution.ts): redeploy the Edge stack and check the domain points at the distribution, not at an origin',
  );
}
