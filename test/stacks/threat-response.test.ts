import { Match } from 'aws-cdk-lib/assertions';
import { loadStageConfigs } from '../../lib/config';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const key = { 'Fn::GetAtt': [expect.stringMatching(/^AuditKey/), 'Arn'] };
const queueArn = { 'Fn::GetAtt': [expect.stringMatching(/^ThreatResponseDeadLetters/), 'Arn'] };
const queueArnMatch = {
  'Fn::GetAtt': [Match.stringLikeRegexp('^ThreatResponseDeadLetters'), 'Arn'],
};

describe.each(STAGES)('THR-BLOCK (%s)', (stage) => {
  const cfg = configs.find((c) => c.title === stage)!;
  const t = template(stage, 'Security');
  const fn = onlyResource(t, 'AWS::Lambda::Function', 'ThreatResponseFunction');

  it('records blocks in a retained, KMS-encrypted table with point-in-time recovery and a TTL', () => {
    const [, table] = Object.entries(resourcesOf(t, 'AWS::DynamoDB::Table'))[0];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key },
      TimeToLiveSpecification: { AttributeName: 'purgeAt', Enabled: true },
    });
    expect(table.Properties.GlobalSecondaryIndexes[0].IndexName).toBe('byExpiry');
  });

  it(`invokes the function for findings of severity ≥ ${cfg.threatResponse.minSeverity}, with retries and a dead-letter queue`, () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', cfg.threatResponse.minSeverity] }] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThreatResponseFunction'), 'Arn'] },
          DeadLetterConfig: { Arn: queueArnMatch },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      FunctionName: { Ref: Match.stringLikeRegexp('^ThreatResponseFunction') },
    });
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: queueArn });
  });

  it('sweeps expired blocks every hour', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Input: '{"action":"sweep"}' })],
    });
  });

  it('configures the function from the stage', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TRUSTED_CIDRS: JSON.stringify(cfg.trustedCidrs),
      BLOCK_DAYS: String(cfg.threatResponse.blockDays),
      MAX_BLOCK_DAYS: String(cfg.threatResponse.maxBlockDays),
      MAX_ADDRESSES_PER_SET: String(cfg.threatResponse.maxAddressesPerSet),
      MAX_ADDRESSES_PER_FINDING: String(cfg.threatResponse.maxAddressesPerFinding),
      BLOCKLISTS: JSON.stringify([
        {
          layer: 'origin',
          region: cfg.region,
          parameter: `/bulwark/${cfg.name}/waf/origin/blocklist`,
        },
        {
          layer: 'edge',
          region: 'us-east-1',
          parameter: `/bulwark/${cfg.name}/waf/edge/blocklist`,
        },
      ]),
    });
  });

  it('grants the function the table, the topic and nothing of WAF in its own stack', () => {
    const policy = onlyResource(
      t,
      'AWS::IAM::Policy',
      'ThreatResponseFunctionServiceRoleDefaultPolicy',
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(actions).toContain('sns:Publish');
    expect(actions.some((a: string) => a.startsWith('wafv2:') || a.endsWith('*'))).toBe(false);
    const role = onlyResource(t, 'AWS::IAM::Role', 'ThreatResponseFunctionServiceRole');
    expect(role.Properties.RoleName).toBe(`bulwark-${cfg.name}-threat-response`);
  });

  it('may put failed findings in its dead-letter queue, with the queue key through SQS', () => {
    const queue = onlyResource(t, 'AWS::SQS::Queue', 'ThreatResponseDeadLetters');
    const statements = onlyResource(
      t,
      'AWS::IAM::Policy',
      'ThreatResponseFunctionServiceRoleDefaultPolicy',
    ).Properties.PolicyDocument.Statement;
    const send = statements.find((s: any) => s.Action === 'sqs:SendMessage');
    expect(send.Resource).toEqual({ 'Fn::GetAtt': [queue.logicalId, 'Arn'] });
    const key = statements.find((s: any) => JSON.stringify(s.Condition ?? {}).includes('"sqs.'));
    expect([key.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(key.Resource).toEqual(queue.Properties.KmsMasterKeyId);
  });

  it('pages on-call on failed responses and on a full blocklist', () => {
    const alarms = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm'));
    const dlq = alarms.find((a) =>
      JSON.stringify(a.Properties).includes('ThreatResponseDeadLetters'),
    );
    expect(dlq?.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertTopic/) }]);
    const full = alarms.find((a) => JSON.stringify(a.Properties).includes('BlocksEvicted'));
    expect(JSON.stringify(full?.Properties.Metrics)).toContain('BlocksDropped');
    expect(full?.Properties.Threshold).toBe(1);
  });

  it('pages on-call when a finding names more addresses than the per-finding cap', () => {
    const alarms = Object.entries(resourcesOf(t, 'AWS::CloudWatch::Alarm')).filter(
      ([, a]) => a.Properties.MetricName === 'AddressesOverCap',
    );
    expect(alarms).toHaveLength(1);
    const [[id, cap]] = alarms;
    expect(id).toMatch(/^ThreatResponseFindingCapAlarm/);
    expect(cap.Properties).toMatchObject({
      Namespace: 'Bulwark/ThreatResponse',
      Dimensions: [{ Name: 'service', Value: 'threat-response' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlertTopic/) }],
    });
    expect(cap.Properties.AlarmDescription).toContain(
      `more than ${cfg.threatResponse.maxAddressesPerFinding} addresses`,
    );
  });

  it.each(['App', 'Edge'] as const)(
    '%s grants the role exactly its two blocklist sets and publishes their ARNs',
    (part) => {
      const owner = template(stage, part);
      const layer = part === 'Edge' ? 'edge' : 'origin';
      const policy = onlyResource(owner, 'AWS::IAM::ManagedPolicy', 'FirewallBlocklistAccess');
      expect(policy.Properties.Roles).toEqual([`bulwark-${cfg.name}-threat-response`]);
      const [waf, ssm] = policy.Properties.PolicyDocument.Statement;
      expect(waf.Action).toEqual(['wafv2:GetIPSet', 'wafv2:UpdateIPSet']);
      expect(waf.Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^FirewallBlockedV4/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^FirewallBlockedV6/), 'Arn'] },
      ]);
      expect(ssm.Action).toBe('ssm:GetParameter');
      owner.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/bulwark/${cfg.name}/waf/${layer}/blocklist`,
      });
    },
  );
});
