import { type CloudFrontClient, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import {
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  type Rule,
  type WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { parseWafArn } from '../../../lambda/shared/waf-arn';
import type { StageConfig } from '../../../lib/config';
import { BLOCKLIST_RULE, MANAGED_GROUPS, type WafLayer } from '../../../lib/constructs/waf-rules';
import { type CheckId, type CheckResult, fail, judge, observed } from './types';

const LAYER_NAME: Record<WafLayer, string> = { edge: 'edge', origin: 'regional' };

/** A WAFv2 ARN shortened to its name, for evidence. */
const wafName = (arn: string | undefined) => (arn ? (parseWafArn(arn)?.name ?? arn) : 'none');

/**
 * WAF-EDGE: the regional web ACL is the one associated with the load balancer
 * (GetWebACLForResource).
 */
export async function checkLoadBalancerAcl(
  client: WAFV2Client,
  loadBalancerArn: string,
  webAclArn: string,
): Promise<CheckResult[]> {
  const id: CheckId = ['WAF-EDGE', 'regional web ACL is on the load balancer'];
  return observed(
    [id],
    () => client.send(new GetWebACLForResourceCommand({ ResourceArn: loadBalancerArn })),
    (out) => [
      judge(
        ...id,
        out.WebACL?.ARN === webAclArn,
        `load balancer ${loadBalancerArn.split('/').slice(-2).join('/')} has web ACL ${wafName(out.WebACL?.ARN)}; expected ${wafName(webAclArn)}`,
      ),
    ],
  );
}

/**
 * WAF-EDGE: the distribution's `WebACLId` is the edge web ACL (CloudFront
 * GetDistributionConfig).
 */
export async function checkDistributionAcl(
  client: CloudFrontClient,
  distributionId: string,
  webAclArn: string,
): Promise<CheckResult[]> {
  const id: CheckId = ['WAF-EDGE', 'edge web ACL is on the distribution'];
  return observed(
    [id],
    () => client.send(new GetDistributionConfigCommand({ Id: distributionId })),
    (out) => {
      const actual = out.DistributionConfig?.WebACLId || undefined;
      return [
        judge(
          ...id,
          actual === webAclArn,
          `distribution ${distributionId} has web ACL ${wafName(actual)}; expected ${wafName(webAclArn)}`,
        ),
      ];
    },
  );
}

/** What one deployed web ACL must hold. */
export interface WebAclExpectation {
  /** `edge` (CloudFront scope, us-east-1) or `origin` (regional, on the ALB). */
  readonly layer: WafLayer;
  /** The stack output `EdgeWebAclArn` or `RegionalWebAclArn`. */
  readonly webAclArn: string;
  /** The blocklist IP sets (outputs `*BlockedV4Arn`, `*BlockedV6Arn`). */
  readonly blockedIpSetArns: readonly string[];
  /** The stage's managed rule groups and their modes (`edge.waf.managedRules`). */
  readonly managedRules: StageConfig['edge']['waf']['managedRules'];
}

/**
 * The rules of one web ACL (GetWebACL in its scope; use a us-east-1 client for the
 * edge ACL):
 * - WAF-EDGE: every AWS managed group of the layer is present, in its configured mode
 *   (the regional layer omits the two reputation groups);
 * - THR-BLOCK: the first rule (lowest priority) is `BlockedAddresses`, blocking the
 *   stage's blocklist IP sets.
 */
export async function checkWebAclRules(
  client: WAFV2Client,
  expected: WebAclExpectation,
): Promise<CheckResult[]> {
  const layer = LAYER_NAME[expected.layer];
  const groupsId: CheckId = ['WAF-EDGE', `${layer} web ACL runs the managed rule groups`];
  const blocklistId: CheckId = ['THR-BLOCK', `${layer} web ACL blocks the blocklist first`];
  const parsed = parseWafArn(expected.webAclArn);
  if (!parsed) {
    const evidence = `unrecognised web ACL ARN ${expected.webAclArn}`;
    return [fail(...groupsId, evidence), fail(...blocklistId, evidence)];
  }
  return observed(
    [groupsId, blocklistId],
    () =>
      client.send(new GetWebACLCommand({ Name: parsed.name, Scope: parsed.scope, Id: parsed.id })),
    (out) => {
      const rules = [...(out.WebACL?.Rules ?? [])].sort(
        (a, b) => (a.Priority ?? 0) - (b.Priority ?? 0),
      );
      return [
        judgeManagedGroups(groupsId, rules, expected),
        judgeBlocklist(blocklistId, rules, expected),
      ];
    },
  );
}

function judgeManagedGroups(id: CheckId, rules: Rule[], expected: WebAclExpectation): CheckResult {
  const short = (name: string) => name.replace(/^AWSManagedRules/, '');
  const groups = MANAGED_GROUPS.filter((g) => expected.layer === 'edge' || !g.reputation);
  const missing: string[] = [];
  const wrongMode: string[] = [];
  const seen: string[] = [];
  for (const group of groups) {
    const rule = rules.find((r) => {
      const s = r.Statement?.ManagedRuleGroupStatement;
      return s?.VendorName === 'AWS' && s.Name === group.name;
    });
    const mode = expected.managedRules[group.key].mode;
    if (!rule) {
      missing.push(group.name);
      continue;
    }
    const actual = rule.OverrideAction?.Count
      ? 'count'
      : rule.OverrideAction?.None
        ? 'block'
        : 'unset';
    seen.push(`${short(group.name)} ${actual}`);
    if (actual !== mode) wrongMode.push(`${short(group.name)} is ${actual} (expected ${mode})`);
  }
  const problems = [...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []), ...wrongMode];
  return judge(
    ...id,
    problems.length === 0,
    problems.length === 0
      ? `${wafName(expected.webAclArn)}: ${seen.join(', ')}`
      : `${wafName(expected.webAclArn)}: ${problems.join('; ')}`,
  );
}

/** Every IP set ARN a statement references, however deeply nested. */
function ipSetArns(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) ipSetArns(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'IPSetReferenceStatement') {
        const arn = (value as { ARN?: unknown } | undefined)?.ARN;
        if (typeof arn === 'string') found.push(arn);
      } else {
        ipSetArns(value, found);
      }
    }
  }
  return found;
}

function judgeBlocklist(id: CheckId, rules: Rule[], expected: WebAclExpectation): CheckResult {
  const first = rules[0];
  const acl = wafName(expected.webAclArn);
  if (!first) return fail(...id, `${acl} has no rules; expected ${BLOCKLIST_RULE} first`);
  if (first.Name !== BLOCKLIST_RULE) {
    const blocklist = rules.find((r) => r.Name === BLOCKLIST_RULE);
    return fail(
      ...id,
      `${acl}: first rule is ${first.Name} (priority ${first.Priority}); ` +
        (blocklist
          ? `${BLOCKLIST_RULE} is at priority ${blocklist.Priority}`
          : `${BLOCKLIST_RULE} is absent`) +
        `; expected ${BLOCKLIST_RULE} first`,
    );
  }
  const referenced = ipSetArns(first.Statement);
  const unreferenced = expected.blockedIpSetArns.filter((arn) => !referenced.includes(arn));
  const action = Object.keys(first.Action ?? {}).join('') || 'none';
  const problems = [
    ...(first.Action?.Block ? [] : [`action is ${action} (expected Block)`]),
    ...(unreferenced.length > 0
      ? [`does not reference ${unreferenced.map(wafName).join(', ')}`]
      : []),
  ];
  return judge(
    ...id,
    problems.length === 0,
    problems.length === 0
      ? `${acl}: ${BLOCKLIST_RULE} (priority ${first.Priority}) blocks ${expected.blockedIpSetArns.map(wafName).join(', ')}`
      : `${acl}: ${BLOCKLIST_RULE} ${problems.join('; ')}`,
  );
}
