/**
 * An IAM policy evaluator for the offline access-path proofs: AWS's documented
 * evaluation logic for one request in one account, with identity-based and
 * resource-based policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 *
 * 1. An explicit `Deny` in any applicable policy wins.
 * 2. A service principal (`events.amazonaws.com`) has no identity policies: only a
 *    resource policy that names it can allow it.
 * 3. A KMS key is allowed only by its key policy: either the key policy allows the
 *    principal itself, or it allows the key's account (`arn:aws:iam::<account>:root`,
 *    which enables IAM policies) and an identity policy allows the request.
 * 4. Otherwise, within one account, an allow in either the identity policies or the
 *    resource policy is enough; across accounts, both must allow.
 *
 * Conditions support the operators Bulwark's templates use (String*, Arn*, Bool,
 * Numeric*, Null, with `IfExists` and the `ForAnyValue:`/`ForAllValues:` set
 * operators), keys case-insensitively, and the rule that a missing key fails a
 * condition unless the operator is negated (`StringNotEquals`) or `...IfExists`.
 *
 * Bulwark does not use `@cloud-copilot/iam-simulate` (AGPL-3.0, and it cannot
 * evaluate `kms:EncryptionContext:*` keys, which CloudTrail's and CloudWatch Logs'
 * key policies depend on); this evaluator is tested against the documented rules in
 * `test/support/iam/policy-evaluator.test.ts`.
 */

/** A policy document as written in a template, intrinsics resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Statement | readonly Statement[];
}

/** One statement of a policy document. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The `Principal` element: `"*"` or `{ AWS | Service | Federated: string | string[] }`. */
export type PrincipalElement = '*' | Readonly<Record<string, string | readonly string[]>>;

/** Who makes the request. */
export type Principal =
  /** An IAM role of `account` (its ARN). */
  | { readonly kind: 'role'; readonly arn: string; readonly account: string }
  /** An AWS service acting through its service principal, e.g. `sns.amazonaws.com`. */
  | { readonly kind: 'service'; readonly service: string };

/** A request context value: one value, or a set (multivalued keys). */
export type ContextValue = string | boolean | number | readonly string[];

/** One request to evaluate. */
export interface AccessRequest {
  readonly principal: Principal;
  /** `service:Action`, e.g. `sqs:SendMessage`. */
  readonly action: string;
  /** ARN of the resource (`*` for actions without resource-level permissions). */
  readonly resource: string;
  /** Account that owns the resource. */
  readonly resourceAccount: string;
  /** Condition keys of the request, e.g. `{ 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' }`. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/** The policies that apply to a request. */
export interface ApplicablePolicies {
  /** Identity-based policies of the principal (none for a service principal). */
  readonly identity: readonly PolicyDocument[];
  /** The resource's policy (key policy, bucket, queue or topic policy, function permissions). */
  readonly resource?: PolicyDocument;
  /** The resource is a KMS key: its key policy must allow, directly or through the account. */
  readonly isKmsKey?: boolean;
}

/** Outcome of an evaluation, with the statements that decided it. */
export interface Decision {
  readonly result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** Why, in words (which policy allowed or denied, or what was missing). */
  readonly reason: string;
}

const list = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

const statementsOf = (doc: PolicyDocument): readonly Statement[] =>
  Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement as Statement];

/** `*` and `?` wildcards, as IAM matches actions and resources. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

const actionMatches = (patterns: readonly string[], action: string) =>
  patterns.some((p) => wildcard(p, action, true));

/** ARN matching: each of the six colon-separated parts is matched on its own. */
function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.split(':');
  const a = arn.split(':');
  if (p.length < 6 || a.length < 6) return wildcard(pattern, arn, false);
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const [hp, ha] = [head(p), head(a)];
  return hp.every((part, i) => wildcard(part, ha[i], false));
}

const resourceMatches = (patterns: readonly string[], resource: string) =>
  patterns.some((p) => p === '*' || arnMatches(p, resource) || wildcard(p, resource, false));

/** Does the statement's principal element cover the requesting principal? */
function principalMatches(element: PrincipalElement, principal: Principal): boolean {
  if (element === '*') return true;
  const entries = Object.entries(element);
  for (const [type, values] of entries) {
    for (const value of list(values)) {
      if (value === '*') return true;
      if (type === 'Service' && principal.kind === 'service' && value === principal.service) {
        return true;
      }
      if (type === 'AWS' && principal.kind === 'role') {
        // The role itself, or its account (which delegates to the account's IAM policies).
        if (value === principal.arn || value === principal.account) return true;
        if (value === `arn:aws:iam::${principal.account}:root`) return true;
      }
    }
  }
  return false;
}

/** Does the statement name the principal's account (the key or bucket owner delegating to IAM)? */
function namesAccountOf(element: PrincipalElement | undefined, principal: Principal): boolean {
  if (!element || element === '*' || principal.kind !== 'role') return false;
  return list((element as Record<string, string | readonly string[]>).AWS).some(
    (v) => v === principal.account || v === `arn:aws:iam::${principal.account}:root`,
  );
}

type Values = readonly string[];

const asStrings = (v: ContextValue): Values =>
  Array.isArray(v) ? v : [String(v as string | number | boolean)];

/** One condition operator, applied to one request value and the policy's values. */
function matchOne(base: string, actual: string, expected: Values): boolean {
  switch (base) {
    case 'StringEquals':
      return expected.includes(actual);
    case 'StringNotEquals':
      return !expected.includes(actual);
    case 'StringEqualsIgnoreCase':
      return expected.some((e) => e.toLowerCase() === actual.toLowerCase());
    case 'StringNotEqualsIgnoreCase':
      return !expected.some((e) => e.toLowerCase() === actual.toLowerCase());
    case 'StringLike':
      return expected.some((e) => wildcard(e, actual, false));
    case 'StringNotLike':
      return !expected.some((e) => wildcard(e, actual, false));
    case 'ArnEquals':
    case 'ArnLike':
      return expected.some((e) => arnMatches(e, actual));
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return !expected.some((e) => arnMatches(e, actual));
    case 'Bool':
      return expected.some((e) => e.toLowerCase() === actual.toLowerCase());
    case 'NumericEquals':
      return expected.some((e) => Number(actual) === Number(e));
    case 'NumericNotEquals':
      return !expected.some((e) => Number(actual) === Number(e));
    case 'NumericLessThan':
      return expected.some((e) => Number(actual) < Number(e));
    case 'NumericLessThanEquals':
      return expected.some((e) => Number(actual) <= Number(e));
    case 'NumericGreaterThan':
      return expected.some((e) => Number(actual) > Number(e));
    case 'NumericGreaterThanEquals':
      return expected.some((e) => Number(actual) >= Number(e));
    default:
      throw new Error(`Condition operator ${base} is not supported by the evaluator`);
  }
}

const NEGATED = /Not(Equals|Like)/;

/** Evaluates one `Condition` block entry: operator → { key: values }. */
function conditionHolds(
  operator: string,
  keys: Readonly<Record<string, unknown>>,
  context: ReadonlyMap<string, ContextValue>,
): boolean {
  const [setOperator, rest] = operator.includes(':')
    ? (operator.split(':') as [string, string])
    : [undefined, operator];
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  return Object.entries(keys).every(([key, raw]) => {
    const expected = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
    const value = context.get(key.toLowerCase());
    if (base === 'Null') {
      const wantsAbsent = expected.some((e) => e.toLowerCase() === 'true');
      return wantsAbsent === (value === undefined);
    }
    if (value === undefined) {
      if (ifExists) return true;
      if (setOperator === 'ForAllValues') return true;
      if (setOperator === 'ForAnyValue') return false;
      return NEGATED.test(base);
    }
    const actual = asStrings(value);
    if (setOperator === 'ForAnyValue') return actual.some((a) => matchOne(base, a, expected));
    if (setOperator === 'ForAllValues') return actual.every((a) => matchOne(base, a, expected));
    if (actual.length !== 1) {
      throw new Error(`Key ${key} is multivalued: use ForAnyValue or ForAllValues`);
    }
    return matchOne(base, actual[0], expected);
  });
}

/** Does `statement` apply to the request (action, resource, principal when given, conditions)? */
function applies(
  statement: Statement,
  request: AccessRequest,
  context: ReadonlyMap<string, ContextValue>,
  checkPrincipal: boolean,
): boolean {
  if (statement.Action !== undefined && !actionMatches(list(statement.Action), request.action)) {
    return false;
  }
  if (
    statement.NotAction !== undefined &&
    actionMatches(list(statement.NotAction), request.action)
  ) {
    return false;
  }
  if (
    statement.Resource !== undefined &&
    !resourceMatches(list(statement.Resource), request.resource)
  ) {
    return false;
  }
  if (
    statement.NotResource !== undefined &&
    resourceMatches(list(statement.NotResource), request.resource)
  ) {
    return false;
  }
  if (checkPrincipal) {
    if (
      statement.Principal !== undefined &&
      !principalMatches(statement.Principal, request.principal)
    ) {
      return false;
    }
    if (
      statement.NotPrincipal !== undefined &&
      principalMatches(statement.NotPrincipal, request.principal)
    ) {
      return false;
    }
  }
  return Object.entries(statement.Condition ?? {}).every(([op, keys]) =>
    conditionHolds(op, keys, context),
  );
}

const label = (s: Statement, where: string) =>
  `${where} statement ${s.Sid ?? JSON.stringify(s.Action ?? s.NotAction)}`;

/** Evaluates `request` against `policies` as AWS would. */
export function evaluate(request: AccessRequest, policies: ApplicablePolicies): Decision {
  const context = new Map<string, ContextValue>(
    Object.entries(request.context ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const identity = request.principal.kind === 'role' ? policies.identity.flatMap(statementsOf) : [];
  const resource = policies.resource ? statementsOf(policies.resource) : [];

  const deny =
    identity.find((s) => s.Effect === 'Deny' && applies(s, request, context, false)) ??
    resource.find((s) => s.Effect === 'Deny' && applies(s, request, context, true));
  if (deny) {
    const where = identity.includes(deny) ? 'identity policy' : 'resource policy';
    return { result: 'ExplicitlyDenied', reason: `denied by ${label(deny, where)}` };
  }

  const identityAllow = identity.find(
    (s) => s.Effect === 'Allow' && applies(s, request, context, false),
  );
  const resourceAllows = resource.filter(
    (s) => s.Effect === 'Allow' && applies(s, request, context, true),
  );
  // A statement naming the account delegates to IAM; it allows no principal by itself.
  const direct = resourceAllows.find((s) => !namesAccountOf(s.Principal, request.principal));
  const delegates = resourceAllows.some((s) => namesAccountOf(s.Principal, request.principal));
  const sameAccount =
    request.principal.kind === 'role' && request.principal.account === request.resourceAccount;

  if (policies.isKmsKey) {
    if (direct)
      return { result: 'Allowed', reason: `allowed by key policy ${label(direct, 'key policy')}` };
    if (delegates && identityAllow) {
      return {
        result: 'Allowed',
        reason: `allowed by ${label(identityAllow, 'identity policy')}; the key policy enables IAM`,
      };
    }
    return {
      result: 'ImplicitlyDenied',
      reason: delegates
        ? 'the key policy enables IAM policies, but no identity policy allows the request'
        : 'no key policy statement allows the principal (a key is only usable as its key policy allows)',
    };
  }
  if (request.principal.kind === 'service') {
    return direct
      ? { result: 'Allowed', reason: `allowed by ${label(direct, 'resource policy')}` }
      : {
          result: 'ImplicitlyDenied',
          reason:
            'no resource policy statement allows the service principal (services have no identity policies)',
        };
  }
  if (sameAccount) {
    const allow = identityAllow ?? direct;
    return allow
      ? {
          result: 'Allowed',
          reason: `allowed by ${label(allow, identityAllow ? 'identity policy' : 'resource policy')}`,
        }
      : {
          result: 'ImplicitlyDenied',
          reason: 'no identity or resource policy statement allows the request',
        };
  }
  return identityAllow && (direct || delegates)
    ? { result: 'Allowed', reason: 'allowed by both the identity policy and the resource policy' }
    : {
        result: 'ImplicitlyDenied',
        reason:
          'a request across accounts needs an allow in both the identity and the resource policy',
      };
}
