import type { CfnJson } from './controls';

/** Outcome of one rule on one resource. */
export type RuleOutcome = 'compliant' | 'non-compliant' | 'not-applicable';

/** A project rule: what no public pack checks. Pure over CloudFormation JSON. */
export interface BulwarkRule {
  /** Rule id; findings are `Bulwark-<id>`. */
  readonly id: string;
  /** The control it protects. */
  readonly control: string;
  /** What a finding means. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** CloudFormation type of the resources it judges. */
  readonly resourceType: string;
  /** Judges the properties of one such resource, as in the synthesized template. */
  readonly check: (properties: CfnJson) => RuleOutcome;
}

const verdict = (ok: boolean): RuleOutcome => (ok ? 'compliant' : 'non-compliant');

/** Minimum HSTS max-age: two years. */
export const HSTS_MIN_SECONDS = 63_072_000;

export const BULWARK_RULES: readonly BulwarkRule[] = [
  {
    id: 'ObjectLockCompliance',
    control: 'BKP-DAILY',
    info: 'An object-locked bucket does not lock in COMPLIANCE mode for at least 30 days, or expires objects before the lock ends.',
    explanation:
      'Backups must be immutable for their whole retention, even to root, and then expire.',
    resourceType: 'AWS::S3::Bucket',
    check: (p) => {
      if (p.ObjectLockEnabled !== true) return 'not-applicable';
      const retention = p.ObjectLockConfiguration?.Rule?.DefaultRetention ?? {};
      const expirations = (p.LifecycleConfiguration?.Rules ?? [])
        .map((r: CfnJson) => r.ExpirationInDays)
        .filter((d: unknown) => typeof d === 'number');
      return verdict(
        retention.Mode === 'COMPLIANCE' &&
          retention.Days >= 30 &&
          expirations.length > 0 &&
          expirations.every((d: number) => d > retention.Days),
      );
    },
  },
  {
    id: 'RdsCustomerKey',
    control: 'ENC-REST',
    info: 'The RDS instance is not encrypted with a customer-managed KMS key.',
    explanation: 'A customer key keeps key policy, rotation and audit under the platform team.',
    resourceType: 'AWS::RDS::DBInstance',
    check: (p) => {
      if (p.SourceDBInstanceIdentifier !== undefined) return 'not-applicable';
      return verdict(p.StorageEncrypted === true && p.KmsKeyId !== undefined);
    },
  },
  {
    id: 'GuardDutyFeatures',
    control: 'THR-DETECT',
    info: 'The GuardDuty detector does not enable S3, RDS login, Lambda network and malware protection.',
    explanation: 'Threat detection must cover the data stores and functions Bulwark runs.',
    resourceType: 'AWS::GuardDuty::Detector',
    check: (p) => {
      const on = new Set(
        (p.Features ?? [])
          .filter((f: CfnJson) => f.Status === 'ENABLED')
          .map((f: CfnJson) => f.Name),
      );
      return verdict(
        p.Enable === true &&
          [
            'S3_DATA_EVENTS',
            'RDS_LOGIN_EVENTS',
            'LAMBDA_NETWORK_LOGS',
            'EBS_MALWARE_PROTECTION',
          ].every((f) => on.has(f)),
      );
    },
  },
  {
    id: 'AlbTlsPolicy',
    control: 'ENC-TRANSIT',
    info: 'An ALB listener serves HTTPS without a TLS 1.3/1.2 policy, or serves HTTP other than a redirect to HTTPS.',
    explanation: 'Viewers and CloudFront reach the ALB over TLS 1.2+ only.',
    resourceType: 'AWS::ElasticLoadBalancingV2::Listener',
    check: (p) => {
      if (p.Protocol === 'HTTPS')
        return verdict(
          typeof p.SslPolicy === 'string' && p.SslPolicy.startsWith('ELBSecurityPolicy-TLS13-1-2'),
        );
      return verdict(
        (p.DefaultActions ?? []).length > 0 &&
          p.DefaultActions.every(
            (a: CfnJson) => a.Type === 'redirect' && a.RedirectConfig?.Protocol === 'HTTPS',
          ),
      );
    },
  },
  {
    id: 'HstsPolicy',
    control: 'HDR-SECURE',
    info: 'A response headers policy does not send HSTS for two years with subdomains and preload.',
    explanation: 'Browsers must never reach the platform over plain HTTP.',
    resourceType: 'AWS::CloudFront::ResponseHeadersPolicy',
    check: (p) => {
      const hsts =
        p.ResponseHeadersPolicyConfig?.SecurityHeadersConfig?.StrictTransportSecurity ?? {};
      return verdict(
        hsts.AccessControlMaxAgeSec >= HSTS_MIN_SECONDS &&
          hsts.IncludeSubdomains === true &&
          hsts.Preload === true,
      );
    },
  },
  {
    id: 'WafLogRedaction',
    control: 'WAF-EDGE',
    info: 'WAF logging does not redact the Authorization header.',
    explanation: 'API keys travel in the Authorization header; logs must never hold them.',
    resourceType: 'AWS::WAFv2::LoggingConfiguration',
    check: (p) => {
      return verdict(
        (p.RedactedFields ?? []).some(
          (f: CfnJson) => String(f.SingleHeader?.Name ?? '').toLowerCase() === 'authorization',
        ),
      );
    },
  },
  {
    id: 'WafScopedRateRule',
    control: 'WAF-BRUTE',
    info: 'The web ACL has no rate-based rule scoped down to the write and key paths.',
    explanation:
      'The brute-force surface needs a stricter limit than the site as a whole. It applies to the CloudFront web ACL, which sees viewers; a regional ACL behind CloudFront could only count the first X-Forwarded-For entry, which clients write.',
    resourceType: 'AWS::WAFv2::WebACL',
    check: (p) => {
      if (p.Scope !== 'CLOUDFRONT') return 'not-applicable';
      return verdict(
        (p.Rules ?? []).some(
          (r: CfnJson) => r.Statement?.RateBasedStatement?.ScopeDownStatement !== undefined,
        ),
      );
    },
  },
  {
    id: 'DistributionBehaviours',
    control: 'HDR-SECURE',
    info: 'A CloudFront cache behaviour lets viewers use plain HTTP or sends no response headers policy.',
    explanation: 'Every path must redirect to HTTPS and carry HSTS and the other security headers.',
    resourceType: 'AWS::CloudFront::Distribution',
    check: (p) => {
      const config = p.DistributionConfig ?? {};
      const behaviours: CfnJson[] = [
        config.DefaultCacheBehavior ?? {},
        ...(config.CacheBehaviors ?? []),
      ];
      return verdict(
        behaviours.every(
          (b) =>
            ['redirect-to-https', 'https-only'].includes(b.ViewerProtocolPolicy) &&
            b.ResponseHeadersPolicyId !== undefined,
        ),
      );
    },
  },
  {
    id: 'WafBlocklistFirst',
    control: 'WAF-EDGE',
    info: 'The first rule of a web ACL is not the IP-set blocklist.',
    explanation:
      'Addresses blocked by threat response must be refused before any other rule (rate limits, managed groups) can count, challenge or allow them.',
    resourceType: 'AWS::WAFv2::WebACL',
    check: (p) => {
      const [first] = [...((p.Rules ?? []) as CfnJson[])].sort((a, b) => a.Priority - b.Priority);
      const statement = first?.Statement ?? {};
      const sets: CfnJson[] = statement.OrStatement?.Statements ?? [statement];
      return verdict(
        first?.Action?.Block !== undefined &&
          sets.every((s) => s.IPSetReferenceStatement !== undefined),
      );
    },
  },
];
