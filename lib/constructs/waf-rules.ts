import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { StageConfig } from '../config';
import { MAX_BODY_BYTES } from '../../lambda/content-api/limits';

type Rule = wafv2.CfnWebACL.RuleProperty;
type Statement = wafv2.CfnWebACL.StatementProperty;
type ManagedGroups = StageConfig['edge']['waf']['managedRules'];

/**
 * Where a web ACL sits. The `edge` ACL (CloudFront) sees the viewer's address; the
 * `origin` ACL (ALB, behind CloudFront) sees CloudFront's and reads the viewer from
 * `X-Forwarded-For`.
 */
export type WafLayer = 'edge' | 'origin';

/** ARNs of the IP sets a web ACL's rules reference. */
export interface WafIpSetArns {
  /** Addresses blocked by threat response (IPv4, IPv6). */
  readonly blockedV4: string;
  readonly blockedV6: string;
  /** Trusted CIDRs from the stage config (IPv4, IPv6). */
  readonly trustedV4: string;
  readonly trustedV6: string;
}

/** Name of the blocklist rule, every web ACL's first (THR-BLOCK). */
export const BLOCKLIST_RULE = 'BlockedAddresses';

/** Keys of the JSON bodies the ACL's blocking rules answer with. */
export const WAF_RESPONSE_BODIES = {
  blocked: { status: 403, code: 'forbidden', message: 'Request blocked' },
  tooLarge: {
    status: 413,
    code: 'payload_too_large',
    message: 'The request is larger than the API accepts',
  },
  rateLimited: { status: 429, code: 'rate_limited', message: 'Too many requests; slow down' },
} as const;

export { MAX_BODY_BYTES };
/** Longest URI path the API can route; its ids and slugs are far shorter. */
export const MAX_URI_PATH_BYTES = 1024;
/** Longest query string: `contentType`, `limit`, `cursor` and `preview` fit easily. */
export const MAX_QUERY_BYTES = 2048;

/**
 * A regular expression over a decimal header value that matches exactly the numbers
 * above `limit` (leading zeros allowed): more significant digits than `limit` has,
 * or as many and, at the first digit that differs, a larger one.
 */
export function decimalAbove(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`Not a limit: ${limit}`);
  const digits = String(limit);
  const rest = (n: number) => (n === 0 ? '' : n === 1 ? '[0-9]' : `[0-9]{${n}}`);
  const above = (d: number) => (d === 8 ? '9' : d === 7 ? '[89]' : `[${d + 1}-9]`);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (d === 9) continue;
    alternatives.push(`${digits.slice(0, i)}${above(d)}${rest(digits.length - 1 - i)}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}

/**
 * A `Content-Length` above {@link MAX_BODY_BYTES}. WAF inspects only the first 8-64 KB
 * of a body, so its size is judged from the header; the API still rejects longer
 * chunked bodies with `413`.
 */
export const OVERSIZED_CONTENT_LENGTH = decimalAbove(MAX_BODY_BYTES);

/** Methods that change content or keys. */
export const WRITE_METHODS = '^(POST|PUT|PATCH|DELETE)$';
/** The key-management routes: the brute-force surface. */
export const KEY_ROUTES = '^/v1/spaces/[^/]+/keys(/|$)';
/** Routes served to API clients (never a person with a browser). */
export const API_ROUTES = '^/(v1/|health$)';

/** AWS managed rule groups by config key, in evaluation order. */
export const MANAGED_GROUPS: ReadonlyArray<{
  readonly key: keyof ManagedGroups;
  readonly name: string;
  /** Judges the client address: only meaningful where the viewer's address is seen. */
  readonly reputation: boolean;
}> = [
  { key: 'ipReputation', name: 'AWSManagedRulesAmazonIpReputationList', reputation: true },
  { key: 'anonymousIp', name: 'AWSManagedRulesAnonymousIpList', reputation: true },
  { key: 'common', name: 'AWSManagedRulesCommonRuleSet', reputation: false },
  { key: 'knownBadInputs', name: 'AWSManagedRulesKnownBadInputsRuleSet', reputation: false },
  { key: 'sqlInjection', name: 'AWSManagedRulesSQLiRuleSet', reputation: false },
];

/** Priority of the first managed group; custom rules come before it. */
export const FIRST_MANAGED_PRIORITY = 10;

const NONE = [{ priority: 0, type: 'NONE' }];

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

const regex = (
  fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty,
  regexString: string,
): Statement => ({
  regexMatchStatement: { fieldToMatch, regexString, textTransformations: NONE },
});

const larger = (fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty, size: number): Statement => ({
  sizeConstraintStatement: {
    fieldToMatch,
    comparisonOperator: 'GT',
    size,
    textTransformations: NONE,
  },
});

const anyOf = (...statements: Statement[]): Statement => ({ orStatement: { statements } });
const allOf = (...statements: Statement[]): Statement => ({ andStatement: { statements } });
const not = (statement: Statement): Statement => ({ notStatement: { statement } });

const block = (body: keyof typeof WAF_RESPONSE_BODIES) => ({
  block: {
    customResponse: {
      responseCode: WAF_RESPONSE_BODIES[body].status,
      customResponseBodyKey: body,
    },
  },
});

const groupAction = (action: string) => ({ [action]: {} });

/**
 * The ordered rules of one web ACL layer (WAF-EDGE, WAF-BRUTE):
 *
 * 1. addresses blocked by threat response;
 * 2. requests larger than the API contract allows;
 * 3. at the edge only, rate limits per viewer address: strict on writes and key routes,
 *    global on the API (block: API clients cannot solve puzzles) and elsewhere
 *    (challenge: a person may be there); trusted CIDRs are exempt;
 * 4. AWS managed groups, each in its configured mode with its rule overrides. The
 *    reputation lists judge the client address and run at the edge only.
 */
export function wafRules(
  layer: WafLayer,
  cfg: StageConfig['edge']['waf'],
  ipSets: WafIpSetArns,
): Rule[] {
  // Behind CloudFront the viewer is the last X-Forwarded-For entry: CloudFront
  // appends it, so a client cannot forge it (earlier entries are client-supplied).
  const ipSet = (arn: string): Statement => ({
    ipSetReferenceStatement:
      layer === 'edge'
        ? { arn }
        : {
            arn,
            ipSetForwardedIpConfig: {
              headerName: 'X-Forwarded-For',
              fallbackBehavior: 'MATCH',
              position: 'LAST',
            },
          },
  });
  const notTrusted = not(anyOf(ipSet(ipSets.trustedV4), ipSet(ipSets.trustedV6)));
  const rate = (limit: number, scopeDownStatement: Statement) => ({
    rateBasedStatement: {
      limit,
      evaluationWindowSec: 300,
      aggregateKeyType: 'IP',
      scopeDownStatement,
    },
  });
  const apiRoute = regex({ uriPath: {} }, API_ROUTES);

  const rules: Rule[] = [
    {
      name: BLOCKLIST_RULE,
      priority: 0,
      action: block('blocked'),
      statement: anyOf(ipSet(ipSets.blockedV4), ipSet(ipSets.blockedV6)),
      visibilityConfig: visibility(BLOCKLIST_RULE),
    },
    {
      name: 'OversizedRequests',
      priority: 1,
      action: block('tooLarge'),
      statement: anyOf(
        regex({ singleHeader: { Name: 'content-length' } }, OVERSIZED_CONTENT_LENGTH),
        larger({ uriPath: {} }, MAX_URI_PATH_BYTES),
        larger({ queryString: {} }, MAX_QUERY_BYTES),
      ),
      visibilityConfig: visibility('OversizedRequests'),
    },
  ];
  // Per-viewer rates are counted at the edge only. Behind CloudFront a rate rule can
  // key on a forwarded address, but WAF takes the header's *first* entry, which the
  // client writes: counting it would let a client dodge the limits or get another
  // address rate-limited.
  if (layer === 'edge') {
    rules.push(
      {
        name: 'RateLimitWritesAndKeys',
        priority: 2,
        action: block('rateLimited'),
        statement: rate(
          cfg.rateLimits.writesPerIp,
          allOf(
            notTrusted,
            anyOf(regex({ method: {} }, WRITE_METHODS), regex({ uriPath: {} }, KEY_ROUTES)),
          ),
        ),
        visibilityConfig: visibility('RateLimitWritesAndKeys'),
      },
      {
        name: 'RateLimitApi',
        priority: 3,
        action: block('rateLimited'),
        statement: rate(cfg.rateLimits.perIp, allOf(notTrusted, apiRoute)),
        visibilityConfig: visibility('RateLimitApi'),
      },
      {
        name: 'RateLimitBrowsers',
        priority: 4,
        action: { challenge: {} },
        statement: rate(cfg.rateLimits.perIp, allOf(notTrusted, not(apiRoute))),
        visibilityConfig: visibility('RateLimitBrowsers'),
      },
    );
  }

  MANAGED_GROUPS.filter((g) => layer === 'edge' || !g.reputation).forEach((group, i) => {
    const { mode, ruleOverrides = {} } = cfg.managedRules[group.key];
    rules.push({
      name: group.name,
      priority: FIRST_MANAGED_PRIORITY + i,
      overrideAction: mode === 'count' ? { count: {} } : { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name: group.name,
          ruleActionOverrides: Object.entries(ruleOverrides).map(([name, action]) => ({
            name,
            actionToUse: groupAction(action),
          })),
          ...(group.reputation ? { scopeDownStatement: notTrusted } : {}),
        },
      },
      visibilityConfig: visibility(group.name),
    });
  });
  return rules;
}

/** The JSON bodies of the blocking rules, in the API's error format. */
export function wafResponseBodies(): Record<string, wafv2.CfnWebACL.CustomResponseBodyProperty> {
  return Object.fromEntries(
    Object.entries(WAF_RESPONSE_BODIES).map(([key, { code, message }]) => [
      key,
      { contentType: 'APPLICATION_JSON', content: JSON.stringify({ error: { code, message } }) },
    ]),
  );
}
