import { loadStageConfigs } from '../../lib/config';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const configOf = (stage: string) => configs.find((c) => c.title === stage)!;

describe.each(STAGES)('App stack front door (%s)', (stage) => {
  const t = template(stage, 'App');
  const cfg = configOf(stage);
  const lb = () => onlyResource(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties;
  const attribute = (key: string) =>
    lb().LoadBalancerAttributes.find((a: any) => a.Key === key)?.Value;

  describe('AVL-LB, NET-SG: load balancer', () => {
    it('is internal, in the App subnets of every AZ, with the CloudFront-only group', () => {
      expect(lb()).toMatchObject({ Scheme: 'internal', Type: 'application' });
      expect(lb().Subnets).toHaveLength(cfg.network.azCount);
      expect(JSON.stringify(lb().Subnets)).toContain('AppSubnet');
      expect(lb().SecurityGroups).toEqual([
        { 'Fn::ImportValue': expect.stringContaining('SecurityGroupsAlb') },
      ]);
    });

    it('drops invalid headers, mitigates desync strictly and logs access', () => {
      expect(attribute('routing.http.drop_invalid_header_fields.enabled')).toBe('true');
      expect(attribute('routing.http.desync_mitigation_mode')).toBe('strictest');
      expect(attribute('access_logs.s3.enabled')).toBe('true');
      expect(attribute('access_logs.s3.prefix')).toBe('alb');
      expect(attribute('deletion_protection.enabled')).toBe(String(stage === 'Production'));
    });
  });

  describe('ENC-TRANSIT: listeners', () => {
    it('listens on HTTPS only, with the TLS 1.3/1.2 restricted policy and the origin certificate', () => {
      const listeners = Object.values(resourcesOf(t, 'AWS::ElasticLoadBalancingV2::Listener'));
      expect(listeners.map((l) => l.Properties.Protocol)).toEqual(['HTTPS']);
      expect(listeners[0].Properties).toMatchObject({
        Port: 443,
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
        Certificates: [{ CertificateArn: { Ref: expect.stringMatching(/^OriginCertificate/) } }],
      });
      t.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: `origin.${cfg.domainName}`,
      });
    });

    it('routes /v1/* and /health to the content API and answers anything else with a JSON 404', () => {
      const listener = Object.values(resourcesOf(t, 'AWS::ElasticLoadBalancingV2::Listener'))[0];
      const fixed = listener.Properties.DefaultActions[0].FixedResponseConfig;
      expect(fixed).toMatchObject({ StatusCode: '404', ContentType: 'application/json' });
      expect(JSON.parse(fixed.MessageBody).error.code).toBe('not_found');
      const rule = onlyResource(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').Properties;
      expect(rule.Conditions).toEqual([
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/*', '/health'] } },
      ]);
      const group = onlyResource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
      expect(group).toMatchObject({
        TargetType: 'lambda',
        HealthCheckEnabled: true,
        HealthCheckPath: '/health',
        Targets: [{ Id: { 'Fn::GetAtt': [expect.stringMatching(/^ContentApiFunction/), 'Arn'] } }],
      });
    });

    it('keeps single-value headers, the shape the content API answers in', () => {
      const group = onlyResource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
      expect(JSON.stringify(group.TargetGroupAttributes ?? [])).not.toContain(
        'lambda.multi_value_headers.enabled","Value":"true"',
      );
    });

    it("lets only this account's target groups invoke the content API", () => {
      const permissions = Object.values(resourcesOf(t, 'AWS::Lambda::Permission')).filter(
        (p) => p.Properties.Principal === 'elasticloadbalancing.amazonaws.com',
      );
      expect(permissions).toHaveLength(1);
      expect(permissions[0].Properties).toMatchObject({
        SourceAccount: cfg.account,
        SourceArn: `arn:aws:elasticloadbalancing:${cfg.region}:${cfg.account}:targetgroup/*`,
      });
    });
  });

  describe('WAF-EDGE: the second layer', () => {
    it('associates a regional web ACL with the load balancer', () => {
      const acl = onlyResource(t, 'AWS::WAFv2::WebACL', 'Firewall');
      expect(acl.Properties.Scope).toBe('REGIONAL');
      const association = onlyResource(t, 'AWS::WAFv2::WebACLAssociation').Properties;
      expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [acl.logicalId, 'Arn'] });
      expect(association.ResourceArn).toEqual({ Ref: expect.stringMatching(/^LoadBalancer/) });
    });

    it('redacts the Authorization header from its logs', () => {
      const logging = onlyResource(t, 'AWS::WAFv2::LoggingConfiguration').Properties;
      expect(logging.RedactedFields).toContainEqual({ SingleHeader: { Name: 'authorization' } });
    });
  });

  describe('MON-ALERT, DDOS', () => {
    const alarms = () =>
      Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);

    it('pages on ALB 5xx, unhealthy targets and WAF block spikes', () => {
      const all = alarms();
      const on = (predicate: (a: any) => boolean) => all.filter(predicate);
      expect(
        on((a) => JSON.stringify(a.Metrics ?? []).includes('HTTPCode_ELB_5XX_Count')),
      ).toHaveLength(1);
      expect(on((a) => a.MetricName === 'UnHealthyHostCount')).toHaveLength(1);
      const blocked = on((a) => a.MetricName === 'BlockedRequests');
      expect(blocked).toHaveLength(1);
      expect(blocked[0].Dimensions).toContainEqual({ Name: 'Region', Value: cfg.region });
      for (const alarm of all) {
        expect(alarm.AlarmActions).toEqual([
          { 'Fn::ImportValue': expect.stringContaining('AlertTopic') },
        ]);
      }
    });

    it(`protects the load balancer with Shield Advanced only where enabled (${stage})`, () => {
      const protections = Object.values(resourcesOf(t, 'AWS::Shield::Protection'));
      expect(protections).toHaveLength(cfg.shield.advanced ? 1 : 0);
      if (cfg.shield.advanced) {
        expect(protections[0].Properties.ResourceArn).toEqual({
          Ref: expect.stringMatching(/^LoadBalancer/),
        });
      }
    });
  });

  describe('AVL-CDN: invalidation on publish', () => {
    const fn = () => onlyResource(t, 'AWS::Lambda::Function', 'CdnInvalidatorFunction').Properties;

    it('consumes the invalidation queue outside the VPC, reporting partial batch failures', () => {
      expect(fn().VpcConfig).toBeUndefined();
      expect(fn().Environment.Variables).toMatchObject({
        DISTRIBUTION_ID_PARAMETER: `/bulwark/${cfg.name}/edge/distribution-id`,
        DISTRIBUTION_ID_REGION: 'us-east-1',
      });
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('polls no more batches at once than the function may run (no throttled receives)', () => {
      const mapping = onlyResource(t, 'AWS::Lambda::EventSourceMapping').Properties;
      expect(mapping.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
      expect(mapping.ScalingConfig.MaximumConcurrency).toBeLessThanOrEqual(
        fn().ReservedConcurrentExecutions,
      );
    });

    it('may read one parameter, create invalidations and trace, nothing else', () => {
      const policy = onlyResource(t, 'AWS::IAM::Policy', 'CdnInvalidatorFunction').Properties;
      const actions = policy.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
      expect(actions.sort()).toEqual(
        [
          'cloudfront:CreateInvalidation',
          'kms:Decrypt',
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
          'ssm:GetParameter',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
      const ssm = policy.PolicyDocument.Statement.find((s: any) => s.Action === 'ssm:GetParameter');
      expect(ssm.Resource).toBe(
        `arn:aws:ssm:us-east-1:${cfg.account}:parameter/bulwark/${cfg.name}/edge/distribution-id`,
      );
    });
  });
});
