import { App, Duration, Stack } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BulwarkChecks } from '../../lib/compliance/bulwark-pack';
import { BULWARK_RULES, HSTS_MIN_SECONDS } from '../../lib/compliance/bulwark-rules';

const rule = (id: string) => BULWARK_RULES.find((r) => r.id === id)!;
/** A distribution whose default behaviour is `first` and whose other behaviours are `rest`. */
const distribution = (first: object, ...rest: object[]) => ({
  DistributionConfig: { DefaultCacheBehavior: first, CacheBehaviors: rest },
});
const secure = { ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: 'h' };
const managed = { Statement: { ManagedRuleGroupStatement: { Name: 'g' } } };
const blocklist = { Action: { Block: {} }, Statement: { IPSetReferenceStatement: { Arn: 'a' } } };

describe('Bulwark rules', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'ObjectLockCompliance',
      {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 31 }] },
      },
      'compliant',
    ],
    [
      'ObjectLockCompliance',
      {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 31 }] },
      },
      'non-compliant',
    ],
    [
      'ObjectLockCompliance',
      {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 7 }] },
      },
      'non-compliant',
    ],
    [
      'ObjectLockCompliance',
      {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 } } },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 8 }] },
      },
      'non-compliant',
    ],
    ['ObjectLockCompliance', { VersioningConfiguration: { Status: 'Enabled' } }, 'not-applicable'],
    [
      'RdsCustomerKey',
      { StorageEncrypted: true, KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1' },
      'compliant',
    ],
    ['RdsCustomerKey', { StorageEncrypted: true }, 'non-compliant'],
    ['RdsCustomerKey', { SourceDBInstanceIdentifier: 'db-1' }, 'not-applicable'],
    [
      'GuardDutyFeatures',
      {
        Enable: true,
        Features: [
          'S3_DATA_EVENTS',
          'RDS_LOGIN_EVENTS',
          'LAMBDA_NETWORK_LOGS',
          'EBS_MALWARE_PROTECTION',
        ].map((Name) => ({ Name, Status: 'ENABLED' })),
      },
      'compliant',
    ],
    [
      'GuardDutyFeatures',
      { Enable: true, Features: [{ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' }] },
      'non-compliant',
    ],
    [
      'AlbTlsPolicy',
      { Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' },
      'compliant',
    ],
    [
      'AlbTlsPolicy',
      { Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-2016-08' },
      'non-compliant',
    ],
    [
      'AlbTlsPolicy',
      {
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS' } }],
      },
      'compliant',
    ],
    ['AlbTlsPolicy', { Protocol: 'HTTP', DefaultActions: [{ Type: 'forward' }] }, 'non-compliant'],
    [
      'HstsPolicy',
      {
        ResponseHeadersPolicyConfig: {
          SecurityHeadersConfig: {
            StrictTransportSecurity: {
              AccessControlMaxAgeSec: HSTS_MIN_SECONDS,
              IncludeSubdomains: true,
              Preload: true,
            },
          },
        },
      },
      'compliant',
    ],
    [
      'HstsPolicy',
      {
        ResponseHeadersPolicyConfig: {
          SecurityHeadersConfig: {
            StrictTransportSecurity: {
              AccessControlMaxAgeSec: 31536000,
              IncludeSubdomains: true,
              Preload: true,
            },
          },
        },
      },
      'non-compliant',
    ],
    [
      'WafLogRedaction',
      { RedactedFields: [{ SingleHeader: { Name: 'Authorization' } }] },
      'compliant',
    ],
    ['WafLogRedaction', { RedactedFields: [] }, 'non-compliant'],
    [
      'WafScopedRateRule',
      {
        Scope: 'CLOUDFRONT',
        Rules: [{ Statement: { RateBasedStatement: { Limit: 100, ScopeDownStatement: {} } } }],
      },
      'compliant',
    ],
    [
      'WafScopedRateRule',
      { Scope: 'CLOUDFRONT', Rules: [{ Statement: { RateBasedStatement: { Limit: 2000 } } }] },
      'non-compliant',
    ],
    ['WafScopedRateRule', { Scope: 'REGIONAL', Rules: [] }, 'not-applicable'],
    [
      'DistributionBehaviours',
      distribution(secure, { ...secure, ViewerProtocolPolicy: 'https-only' }),
      'compliant',
    ],
    [
      'DistributionBehaviours',
      distribution(secure, { ...secure, ViewerProtocolPolicy: 'allow-all' }),
      'non-compliant',
    ],
    [
      'DistributionBehaviours',
      distribution(secure, { ViewerProtocolPolicy: 'redirect-to-https' }),
      'non-compliant',
    ],
    [
      'WafBlocklistFirst',
      {
        Rules: [
          { ...managed, Priority: 10 },
          { ...blocklist, Priority: 0 },
        ],
      },
      'compliant',
    ],
    [
      'WafBlocklistFirst',
      {
        Rules: [
          { ...managed, Priority: 0 },
          { ...blocklist, Priority: 1 },
        ],
      },
      'non-compliant',
    ],
    ['WafBlocklistFirst', { Rules: [{ ...managed, Priority: 0 }] }, 'non-compliant'],
  ])('%s judges %j as %s', (id, properties, outcome) => {
    expect(rule(id).check(properties)).toBe(outcome);
  });
});

describe('BulwarkChecks pack', () => {
  it('reports a governance-mode lock and a detector without its features, naming rule and path', () => {
    const app = new App();
    const stack = new Stack(app, 'Weak', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3.Bucket(stack, 'Vault', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(30)),
      lifecycleRules: [{ expiration: Duration.days(31) }],
    });
    new guardduty.CfnDetector(stack, 'Detector', { enable: true });
    const report = new BulwarkChecks().validateScope(app);
    expect(report.success).toBe(false);
    expect(
      report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.constructPath)]),
    ).toEqual([
      ['Bulwark-ObjectLockCompliance', ['Weak/Vault/Resource']],
      ['Bulwark-GuardDutyFeatures', ['Weak/Detector']],
    ]);
  });
});
