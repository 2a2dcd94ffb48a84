/** HDR-SECURE from outside: the security headers of the /health answer, one result per group. */
import { HSTS_MIN_SECONDS } from '../../../lib/compliance/bulwark-rules';
import {
  CONTENT_SECURITY_POLICY,
  SERVER_REVEALING_HEADERS,
} from '../../../lib/constructs/security-headers';
import { type CheckResult, fail, failWithFix, pass } from '../verify/types';
import type { HttpAnswer } from './http';
import { type Reply, header } from './target';

/** The control of every header check. */
export const HEADERS_CONTROL = 'HDR-SECURE';

/** The `Server` value CloudFront itself sends; it names the CDN, not the software behind it. */
export const CLOUDFRONT_SERVER = 'CloudFront';

const FIX =
  'The SecurityHeaders policy (lib/constructs/security-headers.ts) sets these on every behaviour: redeploy the Edge stack and check the domain points at the distribution';

interface HeaderRule {
  readonly check: string;
  /** What is wrong with the answer's headers, or undefined when they hold. */
  readonly problem: (answer: HttpAnswer) => string | undefined;
  /** What was seen when they hold. */
  readonly seen: (answer: HttpAnswer) => string;
}

const expectValue = (name: string, wanted: string): HeaderRule => ({
  check: `${name}: ${wanted}`,
  problem: (answer) => {
    const value = header(answer, name);
    if (value === undefined) return `${name} missing (expected ${JSON.stringify(wanted)})`;
    return value.trim().toLowerCase() === wanted.toLowerCase()
      ? undefined
      : `${name} is ${JSON.stringify(value)} (expected ${JSON.stringify(wanted)})`;
  },
  seen: (answer) => `${name}: ${header(answer, name)}`,
});

/** What is wrong with a `Strict-Transport-Security` value, or undefined. */
export function hstsProblem(value: string | undefined): string | undefined {
  if (value === undefined) return 'Strict-Transport-Security missing';
  const directives = value.split(';').map((d) => d.trim().toLowerCase());
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  const seconds = maxAge ? Number(maxAge.slice('max-age='.length).replace(/"/g, '')) : NaN;
  const problems = [
    Number.isFinite(seconds)
      ? seconds >= HSTS_MIN_SECONDS
        ? undefined
        : `max-age=${seconds} is below ${HSTS_MIN_SECONDS}`
      : 'no max-age',
    directives.includes('includesubdomains') ? undefined : 'no includeSubDomains',
  ].filter((p) => p !== undefined);
  return problems.length > 0
    ? `Strict-Transport-Security ${JSON.stringify(value)}: ${problems.join(', ')}`
    : undefined;
}

/** The header groups of HDR-SECURE, in report order. */
export const HEADER_RULES: readonly HeaderRule[] = [
  {
    check: `Strict-Transport-Security max-age >= ${HSTS_MIN_SECONDS} with includeSubDomains`,
    problem: (answer) => hstsProblem(header(answer, 'strict-transport-security')),
    seen: (answer) => `Strict-Transport-Security: ${header(answer, 'strict-transport-security')}`,
  },
  expectValue('X-Content-Type-Options', 'nosniff'),
  expectValue('X-Frame-Options', 'DENY'),
  expectValue('Referrer-Policy', 'no-referrer'),
  {
    check: 'Content-Security-Policy is the one of SecurityHeaders',
    problem: (answer) => {
      const value = header(answer, 'content-security-policy');
      if (value === undefined) return 'Content-Security-Policy missing';
      return value.trim() === CONTENT_SECURITY_POLICY
        ? undefined
        : `Content-Security-Policy is ${JSON.stringify(value)} (expected ${JSON.stringify(CONTENT_SECURITY_POLICY)})`;
    },
    seen: (answer) => `Content-Security-Policy: ${header(answer, 'content-security-policy')}`,
  },
  {
    check: `no ${SERVER_REVEALING_HEADERS.join(' / ')} naming the software (Server: ${CLOUDFRONT_SERVER} allowed)`,
    problem: (answer) => {
      const revealing = SERVER_REVEALING_HEADERS.flatMap((name) => {
        const value = header(answer, name);
        if (value === undefined) return [];
        if (name === 'Server' && value.trim() === CLOUDFRONT_SERVER) return [];
        return [`${name}: ${value}`];
      });
      return revealing.length > 0 ? `reveals ${revealing.join(', ')}` : undefined;
    },
    seen: (answer) => {
      const server = header(answer, 'server');
      return server ? `only Server: ${server}` : `no ${SERVER_REVEALING_HEADERS.join(' or ')}`;
    },
  },
];

/** One result per header group of the /health answer; all FAIL when there was no answer. */
export function judgeHeaders(reply: Reply): CheckResult[] {
  if ('error' in reply) {
    return HEADER_RULES.map((rule) =>
      fail(HEADERS_CONTROL, rule.check, `no /health answer: ${reply.error.message}`),
    );
  }
  return HEADER_RULES.map((rule) => {
    const problem = rule.problem(reply.answer);
    return problem === undefined
      ? pass(HEADERS_CONTROL, rule.check, rule.seen(reply.answer))
      : failWithFix(HEADERS_CONTROL, rule.check, problem, FIX);
  });
}
