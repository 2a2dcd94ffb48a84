import {
  type AccessRequest,
  type ApplicablePolicies,
  type PolicyDocument,
  evaluate,
} from './policy-evaluator';

/**
 * The evaluator against AWS's documented policy evaluation logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
 * .../reference_policies_elements_condition_operators.html, and the KMS key policy
 * rules, https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
 */
const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const QUEUE = `arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234`;
const role = { kind: 'role', arn: ROLE, account: ACCOUNT } as const;
const service = (s: string) => ({ kind: 'service', service: s }) as const;

const doc = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: Statement.flat() as any,
});
const request = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  principal: role,
  action: 'sqs:SendMessage',
  resource: QUEUE,
  resourceAccount: ACCOUNT,
  ...over,
});
const result = (r: AccessRequest, p: ApplicablePolicies) => evaluate(r, p).result;
const allowSend = doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE });
const rootKeyPolicy = doc({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
});

describe('policy evaluator', () => {
  it('denies by default and allows what an identity policy allows in its account', () => {
    expect(result(request(), { identity: [] })).toBe('ImplicitlyDenied');
    expect(result(request(), { identity: [allowSend] })).toBe('Allowed');
  });

  it('lets an explicit deny in any policy win over allows', () => {
    const deny = doc({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: QUEUE,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const insecure = request({ context: { 'aws:SecureTransport': false } });
    expect(result(insecure, { identity: [allowSend], resource: deny })).toBe('ExplicitlyDenied');
    const secure = request({ context: { 'aws:SecureTransport': true } });
    expect(result(secure, { identity: [allowSend], resource: deny })).toBe('Allowed');
  });

  it('matches actions case-insensitively with wildcards, resources case-sensitively', () => {
    const p = doc({ Effect: 'Allow', Action: 'SQS:Send*', Resource: 'arn:aws:sqs:*:*:jo?s' });
    expect(result(request(), { identity: [p] })).toBe('Allowed');
    expect(result(request({ resource: QUEUE.toUpperCase() }), { identity: [p] })).toBe(
      'ImplicitlyDenied',
    );
    expect(result(request({ action: 'sqs:ReceiveMessage' }), { identity: [p] })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('honours NotAction and NotResource', () => {
    const p = doc({ Effect: 'Allow', NotAction: 'sqs:Delete*', NotResource: `${QUEUE}-dlq` });
    expect(result(request(), { identity: [p] })).toBe('Allowed');
    expect(result(request({ action: 'sqs:DeleteQueue' }), { identity: [p] })).toBe(
      'ImplicitlyDenied',
    );
    expect(result(request({ resource: `${QUEUE}-dlq` }), { identity: [p] })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('allows a service principal only through a resource policy that names it', () => {
    const events = request({ principal: service('events.amazonaws.com') });
    // Identity policies never apply to a service.
    expect(result(events, { identity: [allowSend] })).toBe('ImplicitlyDenied');
    const queuePolicy = doc({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: QUEUE,
      Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:1:rule/r' } },
    });
    expect(result(events, { identity: [], resource: queuePolicy })).toBe('ImplicitlyDenied');
    const fromRule = request({
      principal: service('events.amazonaws.com'),
      context: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:1:rule/r' },
    });
    expect(result(fromRule, { identity: [], resource: queuePolicy })).toBe('Allowed');
    const other = request({ principal: service('sns.amazonaws.com'), context: fromRule.context });
    expect(result(other, { identity: [], resource: queuePolicy })).toBe('ImplicitlyDenied');
  });

  it('uses a KMS key only as its key policy allows: directly, or through IAM when it names the account', () => {
    const r = request({ action: 'kms:GenerateDataKey', resource: KEY });
    const identity = [doc({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY })];
    // Without the account statement the identity policy alone is not enough.
    expect(result(r, { identity, resource: doc(), isKmsKey: true })).toBe('ImplicitlyDenied');
    expect(result(r, { identity, resource: rootKeyPolicy, isKmsKey: true })).toBe('Allowed');
    expect(result(r, { identity: [], resource: rootKeyPolicy, isKmsKey: true })).toBe(
      'ImplicitlyDenied',
    );
    const direct = doc({
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 'kms:GenerateDataKey',
      Resource: '*',
    });
    expect(result(r, { identity: [], resource: direct, isKmsKey: true })).toBe('Allowed');
  });

  it('lets a same-account resource policy naming the role allow it, an account statement not', () => {
    const naming = doc({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: '*', Resource: QUEUE });
    expect(result(request(), { identity: [], resource: naming })).toBe('Allowed');
    const account = doc({
      Effect: 'Allow',
      Principal: { AWS: ACCOUNT },
      Action: '*',
      Resource: QUEUE,
    });
    expect(result(request(), { identity: [], resource: account })).toBe('ImplicitlyDenied');
  });

  it('needs both policies across accounts', () => {
    const other = request({ resourceAccount: '222222222222' });
    const naming = doc({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: '*', Resource: QUEUE });
    expect(result(other, { identity: [allowSend] })).toBe('ImplicitlyDenied');
    expect(result(other, { identity: [], resource: naming })).toBe('ImplicitlyDenied');
    expect(result(other, { identity: [allowSend], resource: naming })).toBe('Allowed');
  });

  describe('conditions', () => {
    const withCondition = (Condition: Record<string, Record<string, unknown>>) => ({
      identity: [doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition })],
    });
    const ctx = (context: AccessRequest['context']) => request({ context });

    it.each([
      ['StringEquals', { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' }, true],
      ['StringEquals', { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, false],
      ['StringLike', { 'kms:ViaService': 'sqs.*.amazonaws.com' }, true],
      ['StringNotEquals', { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, true],
      ['StringEqualsIgnoreCase', { 'kms:ViaService': 'SQS.EU-WEST-1.AMAZONAWS.COM' }, true],
    ])('%s %j on kms:ViaService=sqs.eu-west-1… is %s', (op, keys, expected) => {
      const r = ctx({ 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' });
      expect(result(r, withCondition({ [op]: keys })) === 'Allowed').toBe(expected);
    });

    it('reads condition keys case-insensitively', () => {
      const r = ctx({ 'AWS:SourceAccount': ACCOUNT });
      expect(result(r, withCondition({ StringEquals: { 'aws:sourceaccount': ACCOUNT } }))).toBe(
        'Allowed',
      );
    });

    it('fails a condition on a missing key, unless negated or IfExists', () => {
      const r = ctx({});
      expect(result(r, withCondition({ StringEquals: { 'aws:SourceArn': 'x' } }))).toBe(
        'ImplicitlyDenied',
      );
      expect(result(r, withCondition({ StringNotEquals: { 'aws:SourceArn': 'x' } }))).toBe(
        'Allowed',
      );
      expect(result(r, withCondition({ ArnLikeIfExists: { 'aws:SourceArn': 'x' } }))).toBe(
        'Allowed',
      );
      expect(result(r, withCondition({ Null: { 'aws:SourceArn': 'true' } }))).toBe('Allowed');
      expect(result(r, withCondition({ Null: { 'aws:SourceArn': 'false' } }))).toBe(
        'ImplicitlyDenied',
      );
    });

    it('matches ARNs part by part with wildcards', () => {
      const r = ctx({ 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Big:One' });
      const like = (v: string) => withCondition({ ArnLike: { 'aws:SourceArn': v } });
      expect(result(r, like('arn:aws:cloudwatch:eu-west-1:111111111111:alarm:*'))).toBe('Allowed');
      expect(result(r, like('arn:aws:cloudwatch:us-east-1:111111111111:alarm:*'))).toBe(
        'ImplicitlyDenied',
      );
    });

    it('needs ForAnyValue or ForAllValues for a multivalued key', () => {
      const r = ctx({ 'kms:ResourceAliases': ['alias/a', 'alias/b'] });
      expect(
        result(
          r,
          withCondition({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/b' } }),
        ),
      ).toBe('Allowed');
      expect(
        result(
          r,
          withCondition({ 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/b' } }),
        ),
      ).toBe('ImplicitlyDenied');
      expect(() =>
        evaluate(r, withCondition({ StringEquals: { 'kms:ResourceAliases': 'alias/b' } })),
      ).toThrow(/multivalued/);
    });

    it('evaluates BoolIfExists as CT.KMS.PR.3 key policies use it', () => {
      const denyGrants = doc(
        { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*', Principal: { AWS: ROLE } },
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: {
            BoolIfExists: {
              'kms:GrantIsForAWSResource': 'false',
              'aws:PrincipalIsAWSService': 'false',
            },
          },
        },
      );
      const grant = (context: AccessRequest['context']) =>
        result(request({ action: 'kms:CreateGrant', resource: KEY, context }), {
          identity: [],
          resource: denyGrants,
          isKmsKey: true,
        });
      expect(grant({ 'kms:GrantIsForAWSResource': true, 'aws:PrincipalIsAWSService': false })).toBe(
        'Allowed',
      );
      expect(
        grant({ 'kms:GrantIsForAWSResource': false, 'aws:PrincipalIsAWSService': false }),
      ).toBe('ExplicitlyDenied');
    });

    it('compares numbers', () => {
      const r = ctx({ 's3:TlsVersion': 1.2 });
      expect(result(r, withCondition({ NumericLessThan: { 's3:TlsVersion': 1.2 } }))).toBe(
        'ImplicitlyDenied',
      );
      expect(result(r, withCondition({ NumericGreaterThanEquals: { 's3:TlsVersion': 1.2 } }))).toBe(
        'Allowed',
      );
    });

    it('rejects an operator it does not know instead of guessing', () => {
      expect(() =>
        evaluate(
          ctx({ 'aws:SourceIp': '1.2.3.4' }),
          withCondition({ IpAddress: { 'aws:SourceIp': '1.2.3.0/24' } }),
        ),
      ).toThrow(/not supported/);
    });
  });
});
