import { Match } from 'aws-cdk-lib/assertions';
import { PUBLIC_CACHE } from '../../lambda/content-api/http';
import { loadStageConfigs } from '../../lib/config';
import { HSTS_MIN_SECONDS } from '../../lib/compliance/bulwark-rules';
import { CONTENT_SECURITY_POLICY } from '../../lib/constructs/security-headers';
import { FIRST_MANAGED_PRIORITY, MANAGED_GROUPS } from '../../lib/constructs/waf-rules';
import { STAGES, onlyResource, resourcesOf, stackArtifact, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const configOf = (stage: string) => configs.find((c) => c.title === stage)!;
/** CachingDisabled, the AWS managed cache policy (never caches). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/** CachingOptimized, the AWS managed cache policy used for assets. */
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/** A name made unique to one creation of its stack (`stackUniqueName`). */
const stackUnique = (prefix: string) => ({
  'Fn::Join': [
    '-',
    [
      prefix,
      {
        'Fn::Select': [
          4,
          {
            'Fn::Split': [
              '-',
              { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
            ],
          },
        ],
      },
    ],
  ],
});

describe.each(STAGES)('Edge stack (%s)', (stage) => {
  const t = template(stage, 'Edge');
  const cfg = configOf(stage);
  const acl = () => onlyResource(t, 'AWS::WAFv2::WebACL', 'Firewall').Properties;
  const dist = () =>
    onlyResource(t, 'AWS::CloudFront::Distribution', 'Distribution').Properties.DistributionConfig;
  const behaviours = () => [
    { PathPattern: '*', ...dist().DefaultCacheBehavior },
    ...dist().CacheBehaviors,
  ];
  const cachePolicies = () => resourcesOf(t, 'AWS::CloudFront::CachePolicy');

  it('is deployed in us-east-1, where CloudFront takes certificates and web ACLs', () => {
    const stack = stackArtifact(stage, 'Edge');
    expect(stack.manifest.environment).toBe(`aws://${cfg.account}/us-east-1`);
  });

  describe('WAF-EDGE, WAF-BRUTE: CloudFront web ACL', () => {
    it('is CloudFront-scoped, allows by default and answers blocks in the API error format', () => {
      expect(acl()).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
      const body = JSON.parse(acl().CustomResponseBodies.rateLimited.Content);
      expect(body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    });

    it('blocks listed addresses before anything else, the managed groups last', () => {
      const rules: any[] = [...acl().Rules].sort((a, b) => a.Priority - b.Priority);
      expect(rules[0].Name).toBe('BlockedAddresses');
      expect(rules[0].Action).toEqual({
        Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'blocked' } },
      });
      const refs = rules[0].Statement.OrStatement.Statements.map(
        (s: any) => s.IPSetReferenceStatement.Arn['Fn::GetAtt'][0],
      );
      expect(refs).toEqual([
        expect.stringMatching(/^FirewallBlockedV4/),
        expect.stringMatching(/^FirewallBlockedV6/),
      ]);
      const firstManaged = rules.findIndex((r) => r.Statement.ManagedRuleGroupStatement);
      expect(rules[firstManaged].Priority).toBe(FIRST_MANAGED_PRIORITY);
      expect(rules.slice(firstManaged).every((r) => r.Statement.ManagedRuleGroupStatement)).toBe(
        true,
      );
    });

    it('runs every AWS managed group in its configured mode, with its rule overrides', () => {
      const managed = acl()
        .Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement)
        .sort((a: any, b: any) => a.Priority - b.Priority);
      expect(managed.map((r: any) => r.Name)).toEqual(MANAGED_GROUPS.map((g) => g.name));
      for (const group of MANAGED_GROUPS) {
        const rule = managed.find((r: any) => r.Name === group.name);
        const { mode, ruleOverrides = {} } = cfg.edge.waf.managedRules[group.key];
        expect(rule.OverrideAction).toEqual(mode === 'count' ? { Count: {} } : { None: {} });
        const overrides = rule.Statement.ManagedRuleGroupStatement.RuleActionOverrides ?? [];
        expect(overrides).toEqual(
          Object.entries(ruleOverrides).map(([Name, action]) => ({
            Name,
            ActionToUse: { [action.charAt(0).toUpperCase() + action.slice(1)]: {} },
          })),
        );
      }
    });

    it('rate-limits per client IP: strictly on writes and key routes, globally elsewhere', () => {
      const rate = (name: string) => acl().Rules.find((r: any) => r.Name === name);
      const writes = rate('RateLimitWritesAndKeys');
      expect(writes.Statement.RateBasedStatement).toMatchObject({
        Limit: cfg.edge.waf.rateLimits.writesPerIp,
        AggregateKeyType: 'IP',
        EvaluationWindowSec: 300,
      });
      const scope = JSON.stringify(writes.Statement.RateBasedStatement.ScopeDownStatement);
      expect(scope).toContain('^(POST|PUT|PATCH|DELETE)$');
      expect(scope).toContain('^/v1/spaces/[^/]+/keys(/|$)');
      expect(scope).toContain('NotStatement'); // trusted CIDRs are exempt
      expect(writes.Action.Block.CustomResponse.ResponseCode).toBe(429);
      // API clients cannot solve puzzles: block. A person may browse assets: challenge.
      expect(rate('RateLimitApi').Action.Block.CustomResponse.ResponseCode).toBe(429);
      expect(rate('RateLimitApi').Statement.RateBasedStatement.Limit).toBe(
        cfg.edge.waf.rateLimits.perIp,
      );
      expect(rate('RateLimitBrowsers').Action).toEqual({ Challenge: {} });
    });

    it('blocks requests larger than the API contract with a 413', () => {
      const rule = acl().Rules.find((r: any) => r.Name === 'OversizedRequests');
      expect(rule.Action.Block.CustomResponse.ResponseCode).toBe(413);
      const [length, path, query] = rule.Statement.OrStatement.Statements;
      expect(length.RegexMatchStatement.FieldToMatch).toEqual({
        SingleHeader: { Name: 'content-length' },
      });
      expect(path.SizeConstraintStatement).toMatchObject({ ComparisonOperator: 'GT', Size: 1024 });
      expect(query.SizeConstraintStatement).toMatchObject({ ComparisonOperator: 'GT', Size: 2048 });
    });

    it('fills the trusted IP sets from the config and leaves the blocklists to threat response', () => {
      const sets = Object.values(resourcesOf(t, 'AWS::WAFv2::IPSet')).map((s) => s.Properties);
      const byName = (suffix: string) => sets.find((s) => s.Name.endsWith(suffix))!;
      expect(byName('blockedv4').Addresses).toEqual([]);
      expect(byName('blockedv6').IPAddressVersion).toBe('IPV6');
      expect([...byName('trustedv4').Addresses, ...byName('trustedv6').Addresses]).toEqual(
        cfg.trustedCidrs,
      );
    });

    it('logs to an encrypted aws-waf-logs-* group with credentials redacted', () => {
      const logging = onlyResource(t, 'AWS::WAFv2::LoggingConfiguration', 'Firewall').Properties;
      expect(logging.RedactedFields).toEqual([
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'cookie' } },
      ]);
      const group = Object.values(resourcesOf(t, 'AWS::Logs::LogGroup')).find(
        (g) =>
          g.Properties.LogGroupName?.['Fn::Join']?.[1]?.[0] ===
          `aws-waf-logs-bulwark-${cfg.name}-edge`,
      )!;
      expect(group.Properties.LogGroupName).toEqual(
        stackUnique(`aws-waf-logs-bulwark-${cfg.name}-edge`),
      );
      expect(group.Properties.KmsKeyId).toBeDefined();
      expect(group.Properties.RetentionInDays).toBe(cfg.logRetentionDays);
      expect(JSON.stringify(logging.LogDestinationConfigs)).toContain(
        JSON.stringify(group.Properties.LogGroupName),
      );
    });
  });

  describe('ENC-TRANSIT, HDR-SECURE: distribution', () => {
    it('serves the stage domain over TLS 1.2+ with SNI, HTTP/2 and HTTP/3, behind the web ACL', () => {
      expect(dist()).toMatchObject({
        Aliases: [cfg.domainName],
        ViewerCertificate: {
          AcmCertificateArn: { Ref: expect.stringMatching(/^ViewerCertificate/) },
          MinimumProtocolVersion: 'TLSv1.2_2025',
          SslSupportMethod: 'sni-only',
        },
        HttpVersion: 'http2and3',
        IPV6Enabled: true,
        PriceClass: cfg.edge.priceClass,
        WebACLId: { 'Fn::GetAtt': [expect.stringMatching(/^FirewallWebAcl/), 'Arn'] },
      });
      t.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: cfg.domainName,
        ValidationMethod: 'DNS',
      });
    });

    it('redirects HTTP to HTTPS and sends the security headers on every behaviour', () => {
      const policy = Object.keys(resourcesOf(t, 'AWS::CloudFront::ResponseHeadersPolicy'));
      expect(policy).toHaveLength(1);
      for (const b of behaviours()) {
        expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
        expect(b.ResponseHeadersPolicyId).toEqual({ Ref: policy[0] });
      }
    });

    it('sends HSTS (two years, subdomains, preload), nosniff, DENY, no referrer and a closed CSP', () => {
      const config = onlyResource(t, 'AWS::CloudFront::ResponseHeadersPolicy', 'Distribution')
        .Properties.ResponseHeadersPolicyConfig;
      expect(config.SecurityHeadersConfig).toEqual({
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: HSTS_MIN_SECONDS,
          IncludeSubdomains: true,
          Preload: true,
          Override: true,
        },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
      });
      expect(config.RemoveHeadersConfig.Items.map((h: any) => h.Header)).toEqual([
        'Server',
        'X-Powered-By',
      ]);
    });

    it('reaches the API over TLS 1.2 only, through its VPC origin', () => {
      const origin = dist().Origins.find((o: any) => o.VpcOriginConfig);
      expect(origin.DomainName).toBe(`origin.${cfg.domainName}`);
      const vpcOrigin = onlyResource(t, 'AWS::CloudFront::VpcOrigin', 'Distribution').Properties;
      expect(vpcOrigin.VpcOriginEndpointConfig).toMatchObject({
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      });
    });
  });

  describe("AVL-CDN, API-AUTHZ: caching never serves one key's response to another", () => {
    it('caches API behaviours only when keyed on the Authorization header, or not at all', () => {
      for (const b of behaviours().filter((x) => x.PathPattern !== '/assets/*')) {
        const id = b.CachePolicyId;
        if (id === CACHING_DISABLED) continue;
        const policy = cachePolicies()[id.Ref].Properties.CachePolicyConfig;
        const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
        expect({ path: b.PathPattern, headers: key.HeadersConfig }).toEqual({
          path: b.PathPattern,
          headers: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        });
        expect(key.CookiesConfig.CookieBehavior).toBe('none');
        expect(key.QueryStringsConfig.QueryStringBehavior).toBe('all');
        // Cached only as the API's Cache-Control allows ...
        expect(policy.DefaultTTL).toBe(0);
        expect(policy.MinTTL).toBe(0);
        // ... and kept long enough to honour its stale-if-error.
        const staleIfError = Number(/stale-if-error=(\d+)/.exec(PUBLIC_CACHE)![1]);
        expect(policy.MaxTTL).toBeGreaterThanOrEqual(staleIfError);
      }
      const health = behaviours().find((b) => b.PathPattern === '/health');
      expect(health.CachePolicyId).toBe(CACHING_DISABLED);
    });

    it('serves assets from S3 through Origin Access Control, read-only and cached long', () => {
      const assets = behaviours().find((b) => b.PathPattern === '/assets/*');
      expect(assets).toMatchObject({
        AllowedMethods: ['GET', 'HEAD'],
        CachePolicyId: CACHING_OPTIMIZED,
      });
      const origin = dist().Origins.find((o: any) => o.Id === assets.TargetOriginId);
      expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      expect(origin.OriginAccessControlId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/AssetsAccess/), 'Id'],
      });
      t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: { SigningBehavior: 'always', SigningProtocol: 'sigv4' },
      });
    });

    it('caches client errors for seconds and server errors not at all', () => {
      const ttl = Object.fromEntries(
        dist().CustomErrorResponses.map((e: any) => [e.ErrorCode, e.ErrorCachingMinTTL]),
      );
      for (const code of [500, 502, 503, 504]) expect(ttl[code]).toBe(0);
      for (const code of [400, 403, 404]) expect(ttl[code]).toBeLessThanOrEqual(10);
    });

    it('publishes the distribution id for the CDN invalidator', () => {
      t.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/bulwark/${cfg.name}/edge/distribution-id`,
        Value: { Ref: Match.stringLikeRegexp('^Distribution') },
      });
    });
  });

  describe('MON-AUDIT, MON-ALERT, DDOS', () => {
    it('delivers access logs to an encrypted log group with the stage retention', () => {
      t.hasResourceProperties('AWS::Logs::DeliverySource', { LogType: 'ACCESS_LOGS' });
      t.resourceCountIs('AWS::Logs::Delivery', 1);
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: stackUnique(`/aws/vendedlogs/bulwark-${cfg.name}-cdn`),
        KmsKeyId: Match.anyValue(),
        RetentionInDays: cfg.logRetentionDays,
      });
    });

    it('pages on CloudFront 5xx and WAF block spikes through the us-east-1 alert topic', () => {
      const alarms = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties,
      );
      const cdn5xx = alarms.find((a) => a.MetricName === '5xxErrorRate')!;
      expect(cdn5xx.Dimensions).toContainEqual({ Name: 'Region', Value: 'Global' });
      const blocked = alarms.find((a) => a.MetricName === 'BlockedRequests')!;
      expect(blocked.Threshold).toBe(cfg.edge.waf.blockedAlarmThreshold);
      expect(blocked.Dimensions.map((d: any) => d.Name).sort()).toEqual(['Rule', 'WebACL']);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertTopic/) }]);
      }
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https' });
    });

    it(`protects the distribution with Shield Advanced only where enabled (${stage})`, () => {
      const protections = Object.values(resourcesOf(t, 'AWS::Shield::Protection'));
      const groups = Object.values(resourcesOf(t, 'AWS::Shield::ProtectionGroup'));
      if (!cfg.shield.advanced) {
        expect([protections, groups]).toEqual([[], []]);
        return;
      }
      expect(protections).toHaveLength(1);
      expect(groups[0].Properties).toMatchObject({ Aggregation: 'MAX', Pattern: 'ARBITRARY' });
      expect(groups[0].Properties.Members).toHaveLength(2);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/DDoSProtection',
        MetricName: 'DDoSDetected',
      });
    });
  });
});
