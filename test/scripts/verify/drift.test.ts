import type { StageConfig } from '../../../lib/config';
import {
  type World,
  answerFrom,
  compliantWorld,
  ids,
  resultOf,
  stageConfig,
  verify,
} from './fixtures';

type Stage = 'staging' | 'production';
/** How the account drifted from what the stage promises. */
type Drift = (world: World, cfg: StageConfig) => void;

const feature = (w: World, name: string) => w.detector.Features!.find((f) => f.Name === name)!;
const rule = (w: World, key: string, name: string) =>
  w.webAcls[key].Rules!.find((r) => r.Name === name)!;
const edgeAcl = (cfg: StageConfig) => `CLOUDFRONT/bulwark-${cfg.name}-edge`;
const regionalAcl = (cfg: StageConfig) => `REGIONAL/bulwark-${cfg.name}-origin`;
const db = (w: World, cfg: StageConfig) => w.databases[ids(cfg).database];
const without = <T>(record: Record<string, T>, key: string) =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
const firstAlarmOf = (w: World, stack: string) =>
  w.alarms[
    w.stacks[stack].resources.find((r) => r.ResourceType === 'AWS::CloudWatch::Alarm')!
      .PhysicalResourceId!
  ];

/** [drift, stage, how, the check that must fail, what its evidence must say] */
const DRIFTS: Array<[string, Stage, Drift, string, string | RegExp]> = [
  [
    'the AWS Config recorder was stopped',
    'production',
    (w) => (w.configStatus[0].recording = false),
    'AWS Config records every resource type, global ones included',
    /: NOT recording, allSupported true/,
  ],
  [
    'the AWS Config recorder skips global resource types',
    'staging',
    (w) => (w.configRecorders[0].recordingGroup!.includeGlobalResourceTypes = false),
    'AWS Config records every resource type, global ones included',
    'includeGlobalResourceTypes false',
  ],
  [
    'the AWS Config delivery channel was deleted',
    'staging',
    (w) => (w.deliveryChannels = []),
    'AWS Config delivers to a bucket with a customer key',
    'no delivery channel: nothing is delivered',
  ],
  [
    "the stage's AWS Config recorder was replaced by another",
    'staging',
    (w) => (w.configRecorders[0].name = 'default'),
    'AWS Config records every resource type, global ones included',
    /^no recorder Bulwark-Staging-Security-ConfigRecorder.* in the region/,
  ],
  [
    'the GuardDuty detector is suspended',
    'staging',
    (w) => (w.detector.Status = 'DISABLED'),
    'GuardDuty detector is enabled',
    /is DISABLED; expected ENABLED/,
  ],
  [
    'a GuardDuty protection plan is off',
    'staging',
    (w) => (feature(w, 'RDS_LOGIN_EVENTS').Status = 'DISABLED'),
    'GuardDuty protection plans are enabled',
    'not enabled: RDS_LOGIN_EVENTS DISABLED',
  ],
  [
    'a GuardDuty protection plan is not reported at all',
    'staging',
    (w) =>
      (w.detector.Features = w.detector.Features!.filter((f) => f.Name !== 'LAMBDA_NETWORK_LOGS')),
    'GuardDuty protection plans are enabled',
    'LAMBDA_NETWORK_LOGS absent',
  ],
  [
    'the regional web ACL is not associated with the load balancer',
    'staging',
    (w) => (w.loadBalancerAcl = undefined),
    'regional web ACL is on the load balancer',
    /has web ACL none; expected bulwark-staging-origin$/,
  ],
  [
    'the distribution has no web ACL',
    'production',
    (w) => (w.distributionConfig.WebACLId = ''),
    'edge web ACL is on the distribution',
    /has web ACL none; expected bulwark-production-edge$/,
  ],
  [
    'the blocklist rule is no longer first at the edge',
    'staging',
    (w, cfg) => (rule(w, edgeAcl(cfg), 'BlockedAddresses').Priority = 20),
    'edge web ACL blocks the blocklist first',
    'first rule is OversizedRequests (priority 1); BlockedAddresses is at priority 20',
  ],
  [
    'the blocklist rule was removed from the regional ACL',
    'staging',
    (w, cfg) =>
      (w.webAcls[regionalAcl(cfg)].Rules = w.webAcls[regionalAcl(cfg)].Rules!.filter(
        (r) => r.Name !== 'BlockedAddresses',
      )),
    'regional web ACL blocks the blocklist first',
    'BlockedAddresses is absent',
  ],
  [
    'the blocklist rule only counts',
    'production',
    (w, cfg) => (rule(w, edgeAcl(cfg), 'BlockedAddresses').Action = { Count: {} }),
    'edge web ACL blocks the blocklist first',
    'action is Count (expected Block)',
  ],
  [
    'the blocklist rule no longer references the IPv6 set',
    'staging',
    (w, cfg) =>
      (rule(w, regionalAcl(cfg), 'BlockedAddresses').Statement = {
        IPSetReferenceStatement: { ARN: ids(cfg).regionalV4 },
      }),
    'regional web ACL blocks the blocklist first',
    'does not reference bulwark-staging-origin-blockedv6',
  ],
  [
    'a managed rule group is missing',
    'staging',
    (w, cfg) =>
      (w.webAcls[regionalAcl(cfg)].Rules = w.webAcls[regionalAcl(cfg)].Rules!.filter(
        (r) => r.Name !== 'AWSManagedRulesSQLiRuleSet',
      )),
    'regional web ACL runs the managed rule groups',
    'missing AWSManagedRulesSQLiRuleSet',
  ],
  [
    'a managed rule group only counts where the config blocks',
    'production',
    (w, cfg) =>
      (rule(w, edgeAcl(cfg), 'AWSManagedRulesAmazonIpReputationList').OverrideAction = {
        Count: {},
      }),
    'edge web ACL runs the managed rule groups',
    'AmazonIpReputationList is count (expected block)',
  ],
  [
    'the trail stopped logging',
    'staging',
    (w) => {
      w.trailStatus.IsLogging = false;
      w.trailStatus.StopLoggingTime = new Date('2026-05-04T11:00:00Z');
    },
    'audit trail is logging',
    'is not logging (stopped 2026-05-04T11:00:00.000Z); expected IsLogging true',
  ],
  [
    'log file validation is off',
    'staging',
    (w) => (w.trail.LogFileValidationEnabled = false),
    'audit trail validates log files',
    'LogFileValidationEnabled false; expected true',
  ],
  [
    'the trail covers one region only',
    'production',
    (w) => (w.trail.IsMultiRegionTrail = false),
    'audit trail covers every region',
    'IsMultiRegionTrail false; expected true',
  ],
  [
    'the trail lost its KMS key',
    'production',
    (w) => delete w.trail.KmsKeyId,
    'audit trail is encrypted with a KMS key',
    'no KmsKeyId; expected a key',
  ],
  [
    'the backup vault locks in GOVERNANCE mode',
    'staging',
    (w, cfg) => (w.objectLock[ids(cfg).backupBucket].Rule!.DefaultRetention!.Mode = 'GOVERNANCE'),
    'backup vault locks objects',
    'GOVERNANCE 30 days; expected COMPLIANCE 30 days',
  ],
  [
    'the backup vault locks for fewer days',
    'staging',
    (w, cfg) => (w.objectLock[ids(cfg).backupBucket].Rule!.DefaultRetention!.Days = 7),
    'backup vault locks objects',
    'COMPLIANCE 7 days; expected COMPLIANCE 30 days',
  ],
  [
    'the replica vault has no default retention',
    'production',
    (w, cfg) => delete w.objectLock[ids(cfg).replicaBucket].Rule,
    'replica vault (eu-central-1) locks objects',
    'no default retention; expected COMPLIANCE 30 days',
  ],
  [
    'replication to the recovery region is disabled',
    'production',
    (w) => (w.replication.Rules![0].Status = 'Disabled'),
    'backup vault replicates to the recovery region',
    /no enabled rule to arn:aws:s3:::bulwark-production-backups-222222222222-eu-central-1 \(rules: CopyToRecoveryRegion Disabled/,
  ],
  [
    'the database is unencrypted',
    'staging',
    (w, cfg) => {
      db(w, cfg).StorageEncrypted = false;
      delete db(w, cfg).KmsKeyId;
    },
    'database storage is encrypted with a KMS key',
    'StorageEncrypted false, KmsKeyId none',
  ],
  [
    'the database lost deletion protection',
    'production',
    (w, cfg) => (db(w, cfg).DeletionProtection = false),
    'database has deletion protection',
    'DeletionProtection false; expected true',
  ],
  [
    'the database keeps backups for fewer days',
    'production',
    (w, cfg) => (db(w, cfg).BackupRetentionPeriod = 7),
    'database keeps automated backups as configured',
    'BackupRetentionPeriod 7 days; expected 30',
  ],
  [
    'the production database is no longer Multi-AZ',
    'production',
    (w, cfg) => (db(w, cfg).MultiAZ = false),
    'database Multi-AZ as configured',
    'MultiAZ false; expected true',
  ],
  [
    'a read replica is missing',
    'production',
    (w, cfg) => (db(w, cfg).ReadReplicaDBInstanceIdentifiers = ['bulwark-production-db-replica-1']),
    'database read replicas as configured',
    '1 read replica (bulwark-production-db-replica-1); expected 2',
  ],
  [
    'Shield Advanced no longer protects the distribution',
    'production',
    (w, cfg) => (w.protections = without(w.protections, ids(cfg).distributionArn)),
    'Shield Advanced protects the distribution',
    /^no Shield Advanced protection for arn:aws:cloudfront::222222222222:distribution\/E2QWRUHAPOMQZL \(ResourceNotFoundException\)/,
  ],
  [
    'an alarm no longer pages the alert topic',
    'staging',
    (w) => (firstAlarmOf(w, 'Bulwark-Staging-App').AlarmActions = []),
    'alarms of Bulwark-Staging-App page the alert topic',
    /^1 of 3 do not notify Bulwark-Staging-Security-AlertTopic\S+: Bulwark-Staging-App-ContentApiErrorsAlarm/,
  ],
  [
    'an edge alarm pages the primary-region topic instead of the us-east-1 one',
    'production',
    (w, cfg) => (firstAlarmOf(w, 'Bulwark-Production-Edge').AlarmActions = [ids(cfg).alertTopic]),
    'alarms of Bulwark-Production-Edge page the alert topic',
    '1 of 2 do not notify Bulwark-Production-Edge-AlertTopic',
  ],
  [
    'an alarm of a stack was deleted outside CloudFormation',
    'staging',
    (w) =>
      (w.alarms = without(
        w.alarms,
        w.stacks['Bulwark-Staging-Security'].resources[1].PhysicalResourceId!,
      )),
    'alarms of Bulwark-Staging-Security page the alert topic',
    'not found in CloudWatch: Bulwark-Staging-Security-CisAlarmsRootAccountUsageAlarm',
  ],
  [
    'a stack lost all its alarms',
    'staging',
    (w) =>
      (w.stacks['Bulwark-Staging-Edge'].resources = w.stacks[
        'Bulwark-Staging-Edge'
      ].resources.filter((r) => r.ResourceType !== 'AWS::CloudWatch::Alarm')),
    'alarms of Bulwark-Staging-Edge page the alert topic',
    "Bulwark-Staging-Edge has no alarms; expected the stage's alarms",
  ],
  [
    'MFA is optional in the user pool',
    'staging',
    (w) => {
      w.userPool.MfaConfiguration = 'OPTIONAL';
      w.mfaConfig.MfaConfiguration = 'OPTIONAL';
    },
    'user pool requires TOTP MFA',
    'eu-west-1_AbCdEf123: MfaConfiguration OPTIONAL, software token MFA enabled; expected ON',
  ],
  [
    'passwords may be 8 characters',
    'production',
    (w) => (w.userPool.Policies!.PasswordPolicy!.MinimumLength = 8),
    'user pool enforces the password policy',
    /^eu-west-1_AbCdEf123: MinimumLength 8, .*; expected MinimumLength ≥ 12, every class required/,
  ],
  [
    'passwords need no symbol',
    'staging',
    (w) => (w.userPool.Policies!.PasswordPolicy!.RequireSymbols = false),
    'user pool enforces the password policy',
    'RequireSymbols false',
  ],
  [
    'threat protection only audits',
    'staging',
    (w) => (w.userPool.UserPoolAddOns = { AdvancedSecurityMode: 'AUDIT' }),
    'user pool enforces threat protection',
    'eu-west-1_AbCdEf123: AdvancedSecurityMode AUDIT; expected ENFORCED',
  ],
  [
    'people can sign themselves up',
    'production',
    (w) => (w.userPool.AdminCreateUserConfig!.AllowAdminCreateUserOnly = false),
    'user pool refuses self sign-up and deletion',
    'AllowAdminCreateUserOnly false, DeletionProtection ACTIVE; expected true, ACTIVE',
  ],
  [
    'the CMS client has a client secret',
    'production',
    (w) => (w.userPoolClient.ClientSecret = '1abc2def3ghi4jkl5mno6pqr7stu8vwx9yzEXAMPLEsecret0'),
    'CMS client is public, code grant only, with short revocable tokens',
    /^4ibc2ngrmk8ut0o8b6example: has a client secret; expected no secret/,
  ],
  [
    'access tokens of the CMS client last 2 hours',
    'staging',
    (w) => {
      w.userPoolClient.AccessTokenValidity = 2;
      w.userPoolClient.TokenValidityUnits!.AccessToken = 'hours';
    },
    'CMS client is public, code grant only, with short revocable tokens',
    'access tokens valid 2 hours (expected ≤ 15 minutes)',
  ],
  [
    'the CMS client also allows the implicit grant',
    'staging',
    (w) => (w.userPoolClient.AllowedOAuthFlows = ['code', 'implicit']),
    'CMS client is public, code grant only, with short revocable tokens',
    'AllowedOAuthFlows [code, implicit] (expected [code])',
  ],
  [
    'the SAML provider of people.saml is missing',
    'production',
    (w) => (w.identityProviders = {}),
    'CMS client signs people in through the SAML provider only',
    /^no identity provider named CorporateIdP in eu-west-1_AbCdEf123 \(ResourceNotFoundException\)/,
  ],
  [
    'the CMS client no longer offers the SAML provider',
    'production',
    (w) => (w.userPoolClient.SupportedIdentityProviders = ['COGNITO']),
    'CMS client signs people in through the SAML provider only',
    'CorporateIdP: ProviderType SAML; client identity providers [COGNITO]; expected',
  ],
  [
    'the CMS client offers local sign-in beside the SAML provider',
    'production',
    (w) => (w.userPoolClient.SupportedIdentityProviders = ['COGNITO', 'CorporateIdP']),
    'CMS client signs people in through the SAML provider only',
    'CorporateIdP: ProviderType SAML; client identity providers [COGNITO, CorporateIdP]; expected',
  ],
];

describe('npm run verify on a drifted account', () => {
  it.each(DRIFTS)('fails when %s (%s)', async (_, stage, drift, check, evidence) => {
    const cfg = stageConfig(stage);
    const world = compliantWorld(cfg);
    drift(world, cfg);
    answerFrom(world);

    const run = await verify(['--stage', stage]);

    expect(run.code).toBe(1);
    const failed = resultOf(run.results, check);
    expect(failed.result).toBe('FAIL');
    if (typeof evidence === 'string') expect(failed.evidence).toContain(evidence);
    else expect(failed.evidence).toMatch(evidence);
    expect(run.results.filter((r) => r.result === 'FAIL')).toEqual([failed]);
  });

  it('fails both detector checks when the stage uses an existing detector and the region has none', async () => {
    const cfg = stageConfig('staging');
    const world = compliantWorld(cfg);
    delete world.stacks['Bulwark-Staging-Security'].outputs.DetectorId;
    world.detectorIds = [];
    answerFrom(world);

    const run = await verify(['--stage', 'staging']);

    expect(run.code).toBe(1);
    expect(run.results.filter((r) => r.result === 'FAIL')).toEqual([
      expect.objectContaining({ control: 'THR-DETECT', check: 'GuardDuty detector is enabled' }),
      expect.objectContaining({
        control: 'THR-DETECT',
        check: 'GuardDuty protection plans are enabled',
      }),
    ]);
    expect(run.results[0].evidence).toContain('no detector in the region');
  });

  it('finds the detector with ListDetectors when the Security stack has no DetectorId output', async () => {
    const cfg = stageConfig('staging');
    const world = compliantWorld(cfg);
    delete world.stacks['Bulwark-Staging-Security'].outputs.DetectorId;
    world.detector.Status = 'DISABLED';
    answerFrom(world);

    const run = await verify(['--stage', 'staging']);

    expect(run.code).toBe(1);
    expect(resultOf(run.results, 'GuardDuty detector is enabled').evidence).toBe(
      `detector ${ids(cfg).detectorId} is DISABLED; expected ENABLED`,
    );
  });
});
