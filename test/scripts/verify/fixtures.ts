/**
 * A deployed Bulwark stage as the AWS APIs describe it, and mocked clients that
 * answer from it. Payloads follow the shapes of the AWS API references (GetDetector,
 * GetWebACL, GetObjectLockConfiguration, DescribeDBInstances, GetTrailStatus,
 * DescribeUserPool, GetMetricStatistics, ...).
 * Tests change the world (drift) before running the verifier; nothing reaches AWS.
 */
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  CloudFrontClient,
  type DistributionConfig,
  GetDistributionConfigCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CloudTrailClient,
  GetTrailCommand,
  GetTrailStatusCommand,
  type GetTrailStatusResponse,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchClient,
  type Datapoint,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  type GetUserPoolMfaConfigResponse,
  GetUserPoolMfaConfigCommand,
  type IdentityProviderType,
  ResourceNotFoundException as CognitoResourceNotFound,
  type UserPoolClientType,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ConfigServiceClient,
  type ConfigurationRecorder,
  type ConfigurationRecorderStatus,
  type DeliveryChannel,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service';
import {
  BadRequestException,
  GetDetectorCommand,
  type GetDetectorResponse,
  GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DBParameterGroupNotFoundFault,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  type Parameter,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import {
  GetBucketReplicationCommand,
  GetObjectLockConfigurationCommand,
  type ObjectLockConfiguration,
  type ReplicationConfiguration,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  DescribeProtectionCommand,
  type Protection,
  ResourceNotFoundException,
  ShieldClient,
} from '@aws-sdk/client-shield';
import {
  type GetDocumentResult,
  GetDocumentCommand,
  InvalidDocument,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  type Rule,
  type WebACL,
  WAFNonexistentItemException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { StageConfig } from '../../../lib/config';
import { projectStage } from '../../../scripts/lib/project-stages';
import { awsClients } from '../../../scripts/lib/verify/clients';
import { run } from '../../../scripts/lib/verify/run';
import type { CheckResult } from '../../../scripts/lib/verify/types';

// No real AWS: fake credentials (the documented example keys), no instance metadata.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
delete process.env.AWS_PROFILE;

/** Every client class the verifier uses, mocked (all instances, any region). */
export const aws = {
  cloudFormation: mockClient(CloudFormationClient),
  cloudWatch: mockClient(CloudWatchClient),
  guardDuty: mockClient(GuardDutyClient),
  wafv2: mockClient(WAFV2Client),
  cloudFront: mockClient(CloudFrontClient),
  cloudTrail: mockClient(CloudTrailClient),
  s3: mockClient(S3Client),
  rds: mockClient(RDSClient),
  shield: mockClient(ShieldClient),
  sts: mockClient(STSClient),
  cognito: mockClient(CognitoIdentityProviderClient),
  config: mockClient(ConfigServiceClient),
  ssm: mockClient(SSMClient),
};

/** The stages of the project's cdk.json. */
export const stageConfig = (name: 'staging' | 'production'): StageConfig => projectStage(name);

/** A stack as CloudFormation describes it. */
export interface StackState {
  region: string;
  outputs: Record<string, string>;
  resources: StackResourceSummary[];
}

/** An error the mocked API throws for matching calls instead of answering. */
export interface Refusal {
  /** API operation, e.g. `GetObjectLockConfiguration`. */
  command: string;
  /** Only calls whose input matches. @default every call */
  when?: (input: any) => boolean;
  error: Error;
}

/** One CloudWatch metric in one region, as GetMetricStatistics answers for it. */
export interface MetricSeries {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Datapoints with the statistics the reader asks for; answered when in its time range. */
  datapoints: Datapoint[];
}

/** The account as the verifier sees it. */
export interface World {
  account: string;
  stacks: Record<string, StackState>;
  detectorIds: string[];
  detector: GetDetectorResponse;
  /** The web ACL associated with the load balancer, if any. */
  loadBalancerAcl: WebACL | undefined;
  distributionConfig: DistributionConfig;
  /** Web ACLs by `<Scope>/<Name>`. */
  webAcls: Record<string, WebACL>;
  trail: Trail;
  trailStatus: GetTrailStatusResponse;
  /** Object Lock configuration by bucket. */
  objectLock: Record<string, ObjectLockConfiguration>;
  replication: ReplicationConfiguration;
  /**
   * DB instances by identifier: the primary, its read replicas and, with
   * `database.crossRegionReplica`, the replica in the DR region.
   */
  databases: Record<string, DBInstance>;
  /** Parameters of each DB parameter group by name (DescribeDBParameters, paged). */
  parameterGroups: Record<string, Parameter[]>;
  /** Shield Advanced protections by resource ARN. */
  protections: Record<string, Protection>;
  /** CloudWatch alarms by name. */
  alarms: Record<string, MetricAlarm>;
  /** The people's user pool (DescribeUserPool). */
  userPool: UserPoolType;
  /** Its MFA configuration (GetUserPoolMfaConfig). */
  mfaConfig: GetUserPoolMfaConfigResponse;
  /** The CMS app client (DescribeUserPoolClient). */
  userPoolClient: UserPoolClientType;
  /** The pool's identity providers by name. */
  identityProviders: Record<string, IdentityProviderType>;
  /** AWS Config in the primary region (DescribeConfigurationRecorders, ...Status, DescribeDeliveryChannels). */
  configRecorders: ConfigurationRecorder[];
  configStatus: ConfigurationRecorderStatus[];
  deliveryChannels: DeliveryChannel[];
  /** Session Manager documents by name (GetDocument, default version). */
  sessionDocuments: Record<string, GetDocumentResult>;
  /** CloudWatch metrics (GetMetricStatistics): backup successes, replica lag. */
  metrics: MetricSeries[];
  refusals: Refusal[];
}

/** Identifiers of a deployed stage, derived from its config the way AWS names things. */
export function ids(cfg: StageConfig) {
  const { account, region, drRegion, name, title } = cfg;
  const acl = (scope: 'regional' | 'global', aclRegion: string, layer: string, id: string) =>
    `arn:aws:wafv2:${aclRegion}:${account}:${scope}/webacl/bulwark-${name}-${layer}/${id}`;
  const ipSet = (scope: 'regional' | 'global', setRegion: string, setName: string, id: string) =>
    `arn:aws:wafv2:${setRegion}:${account}:${scope}/ipset/bulwark-${name}-${setName}/${id}`;
  return {
    loadBalancerArn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/Bulwar-LoadB-1R2VQ4EXAMPLE/50dc6c495c0c9188`,
    regionalAcl: acl('regional', region, 'origin', 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'),
    regionalV4: ipSet(
      'regional',
      region,
      'origin-blockedv4',
      'b1b2c3d4-5678-90ab-cdef-EXAMPLE22222',
    ),
    regionalV6: ipSet(
      'regional',
      region,
      'origin-blockedv6',
      'c1b2c3d4-5678-90ab-cdef-EXAMPLE33333',
    ),
    regionalTrustedV4: ipSet(
      'regional',
      region,
      'origin-trustedv4',
      'd1b2c3d4-5678-90ab-cdef-EXAMPLE44444',
    ),
    edgeAcl: acl('global', 'us-east-1', 'edge', 'e1b2c3d4-5678-90ab-cdef-EXAMPLE55555'),
    edgeV4: ipSet('global', 'us-east-1', 'edge-blockedv4', 'f1b2c3d4-5678-90ab-cdef-EXAMPLE66666'),
    edgeV6: ipSet('global', 'us-east-1', 'edge-blockedv6', 'a2b2c3d4-5678-90ab-cdef-EXAMPLE77777'),
    edgeTrustedV4: ipSet(
      'global',
      'us-east-1',
      'edge-trustedv4',
      'b2b2c3d4-5678-90ab-cdef-EXAMPLE88888',
    ),
    distributionId: 'E2QWRUHAPOMQZL',
    distributionArn: `arn:aws:cloudfront::${account}:distribution/E2QWRUHAPOMQZL`,
    alertTopic: `arn:aws:sns:${region}:${account}:Bulwark-${title}-Security-AlertTopic2720D535-gN6ZkUYOUmbl`,
    edgeAlertTopic: `arn:aws:sns:us-east-1:${account}:Bulwark-${title}-Edge-AlertTopic2720D535-Yb5oXx8ZiGwL`,
    replicaAlertTopic: `arn:aws:sns:${drRegion}:${account}:Bulwark-${title}-Replica-AlertTopic2720D535-Qc7PyW2ZxLkT`,
    trailArn: `arn:aws:cloudtrail:${region}:${account}:trail/Bulwark-${title}-Security-AuditTrail4D7B2C8A-mVAsGkNw8Hrq`,
    auditKey: `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    dataKey: `arn:aws:kms:${region}:${account}:key/5678abcd-12ab-34cd-56ef-1234567890cd`,
    detectorId: '12abc34d567e8fa901bc2d34eexample',
    backupBucket: `bulwark-${name}-data-backupbucket26b8e51c-lmtdhaz0ou5a`,
    replicaBucket: `bulwark-${name}-backups-${account}-${drRegion}`,
    replicaKey: `arn:aws:kms:${drRegion}:${account}:alias/bulwark-${name}-backup-replica`,
    database: `bulwark-${name}-db`,
    drReplica: `bulwark-${name}-db-dr`,
    drReplicaKey: `arn:aws:kms:${drRegion}:${account}:key/0fedcba9-12ab-34cd-56ef-1234567890dr`,
    parameterGroup: `bulwark-${name}-data-databaseparameters3c0ec4a1-x7k2m9p4q1wz`,
    userPoolId: `${region}_AbCdEf123`,
    cmsClientId: '4ibc2ngrmk8ut0o8b6example',
    configRecorder: `Bulwark-${title}-Security-ConfigRecorder49EDB580-1AB2CD3EF4GH`,
    sessionDocument: `bulwark-${name}-break-glass-session`,
    sessionLogGroup: `/bulwark/${name}/break-glass/sessions`,
    sessionBucket: `bulwark-${name}-security-breakglasssessionlogbucket-9f8e7d6c5b4a`,
    sessionKey: `arn:aws:kms:${region}:${account}:key/9abcdef0-12ab-34cd-56ef-1234567890ef`,
    breakGlassAlarm: `Bulwark-${title}-Security-BreakGlassAssumedAlarmC6982F4B-1A2B3C4D5E6F`,
  };
}

/**
 * The Data stack's parameter group as DescribeDBParameters lists it: well over one
 * page (RDS pages at 100 by default) of engine defaults, with Bulwark's settings
 * (`Source: user`) on the later pages.
 */
function parameterGroup(): Parameter[] {
  const engineDefault = (n: number): Parameter => ({
    ParameterName: `engine_default_${String(n).padStart(3, '0')}`,
    ParameterValue: 'on',
    Description: 'An engine default',
    Source: 'engine-default',
    ApplyType: 'dynamic',
    DataType: 'boolean',
    AllowedValues: '0,1',
    IsModifiable: true,
    ApplyMethod: 'pending-reboot',
  });
  const user = (name: string, value: string, applyType: 'static' | 'dynamic'): Parameter => ({
    ParameterName: name,
    ParameterValue: value,
    Description: `Bulwark sets ${name}`,
    Source: 'user',
    ApplyType: applyType,
    DataType: 'string',
    IsModifiable: true,
    ApplyMethod: applyType === 'static' ? 'pending-reboot' : 'immediate',
  });
  return [
    ...Array.from({ length: 150 }, (_, n) => engineDefault(n)),
    user('log_connections', '1', 'dynamic'),
    user('pgaudit.log', 'ddl,role', 'dynamic'),
    user('pgaudit.log_catalog', '0', 'dynamic'),
    user('rds.force_ssl', '1', 'dynamic'),
    user('shared_preload_libraries', 'pg_stat_statements,pgaudit', 'static'),
  ];
}

const visibility = (name: string) => ({
  SampledRequestsEnabled: true,
  CloudWatchMetricsEnabled: true,
  MetricName: name,
});

const ipSetReference = (arn: string, forwarded: boolean) => ({
  IPSetReferenceStatement: forwarded
    ? {
        ARN: arn,
        IPSetForwardedIPConfig: {
          HeaderName: 'X-Forwarded-For',
          FallbackBehavior: 'MATCH' as const,
          Position: 'LAST' as const,
        },
      }
    : { ARN: arn },
});

/**
 * A web ACL as GetWebACL returns it: the blocklist first, the size and rate rules,
 * then the AWS managed groups (the regional layer without the reputation lists).
 */
function webAcl(cfg: StageConfig, layer: 'edge' | 'origin'): WebACL {
  const i = ids(cfg);
  const edge = layer === 'edge';
  const [v4, v6, trusted, arn] = edge
    ? [i.edgeV4, i.edgeV6, i.edgeTrustedV4, i.edgeAcl]
    : [i.regionalV4, i.regionalV6, i.regionalTrustedV4, i.regionalAcl];
  const notTrusted = { NotStatement: { Statement: ipSetReference(trusted, !edge) } };
  const rate = (limit: number) => ({
    RateBasedStatement: {
      Limit: limit,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'IP' as const,
      ScopeDownStatement: notTrusted,
    },
  });
  const block = (code: number, key: string) => ({
    Block: { CustomResponse: { ResponseCode: code, CustomResponseBodyKey: key } },
  });
  const m = cfg.edge.waf.managedRules;
  const groups: Array<readonly [name: string, mode: 'block' | 'count']> = [
    ...(edge
      ? [
          ['AWSManagedRulesAmazonIpReputationList', m.ipReputation.mode] as const,
          ['AWSManagedRulesAnonymousIpList', m.anonymousIp.mode] as const,
        ]
      : []),
    ['AWSManagedRulesCommonRuleSet', m.common.mode],
    ['AWSManagedRulesKnownBadInputsRuleSet', m.knownBadInputs.mode],
    ['AWSManagedRulesSQLiRuleSet', m.sqlInjection.mode],
  ];
  const rules: Rule[] = [
    {
      Name: 'BlockedAddresses',
      Priority: 0,
      Statement: {
        OrStatement: { Statements: [ipSetReference(v4, !edge), ipSetReference(v6, !edge)] },
      },
      Action: block(403, 'blocked'),
      VisibilityConfig: visibility('BlockedAddresses'),
    },
    {
      Name: 'OversizedRequests',
      Priority: 1,
      Statement: {
        SizeConstraintStatement: {
          FieldToMatch: { UriPath: {} },
          ComparisonOperator: 'GT',
          Size: 1024,
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
      Action: block(413, 'tooLarge'),
      VisibilityConfig: visibility('OversizedRequests'),
    },
    // Rates are counted at the edge only (lib/constructs/waf-rules.ts).
    ...(edge
      ? [
          {
            Name: 'RateLimitWritesAndKeys',
            Priority: 2,
            Statement: rate(cfg.edge.waf.rateLimits.writesPerIp),
            Action: block(429, 'rateLimited'),
            VisibilityConfig: visibility('RateLimitWritesAndKeys'),
          },
          {
            Name: 'RateLimitApi',
            Priority: 3,
            Statement: rate(cfg.edge.waf.rateLimits.perIp),
            Action: block(429, 'rateLimited'),
            VisibilityConfig: visibility('RateLimitApi'),
          },
          {
            Name: 'RateLimitBrowsers',
            Priority: 4,
            Statement: rate(cfg.edge.waf.rateLimits.perIp),
            Action: { Challenge: {} },
            VisibilityConfig: visibility('RateLimitBrowsers'),
          },
        ]
      : []),
    ...groups.map(([name, mode], n): Rule => ({
      Name: name,
      Priority: 10 + n,
      Statement: {
        ManagedRuleGroupStatement: {
          VendorName: 'AWS',
          Name: name,
          ...(name === 'AWSManagedRulesCommonRuleSet'
            ? {
                RuleActionOverrides: [
                  { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
                ],
              }
            : {}),
        },
      },
      OverrideAction: mode === 'count' ? { Count: {} } : { None: {} },
      VisibilityConfig: visibility(name),
    })),
  ];
  return {
    Name: `bulwark-${cfg.name}-${layer}`,
    Id: arn.split('/').at(-1)!,
    ARN: arn,
    DefaultAction: { Allow: {} },
    Description: `Bulwark ${cfg.name}: ${edge ? 'CloudFront' : 'ALB'} layer`,
    Rules: rules,
    VisibilityConfig: visibility(`bulwark-${cfg.name}-${layer}`),
    Capacity: edge ? 1427 : 1227,
    ManagedByFirewallManager: false,
    LabelNamespace: `awswaf:${cfg.account}:webacl:bulwark-${cfg.name}-${layer}:`,
  };
}

const alarmResource = (stack: string, logicalId: string): StackResourceSummary => ({
  LogicalResourceId: logicalId,
  PhysicalResourceId: `${stack}-${logicalId}-1A2B3C4D5E6F`,
  ResourceType: 'AWS::CloudWatch::Alarm',
  LastUpdatedTimestamp: new Date('2026-05-04T10:00:00Z'),
  ResourceStatus: 'CREATE_COMPLETE',
  DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
});

const otherResource = (
  logicalId: string,
  type: string,
  physicalId: string,
): StackResourceSummary => ({
  LogicalResourceId: logicalId,
  PhysicalResourceId: physicalId,
  ResourceType: type,
  LastUpdatedTimestamp: new Date('2026-05-04T10:00:00Z'),
  ResourceStatus: 'CREATE_COMPLETE',
  DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
});

/** Logical ids of some of each stack's alarms (the real stacks have more). */
const ALARMS: Record<string, string[]> = {
  Security: [
    'CisAlarmsRootAccountUsageAlarmB3C1D2E4',
    'CisAlarmsUnauthorizedApiCallsAlarm5F6A7B8C',
    'UndeliveredAlertsAlarm9D0E1F2A',
    'BreakGlassAssumedAlarmC6982F4B',
  ],
  App: [
    'ContentApiErrorsAlarm3B4C5D6E',
    'LoadBalancerServerErrorRateAlarm7F8A9B0C',
    'NightlyBackupFreshnessAlarm1D2E3F4A',
  ],
  Edge: ['ServerErrorRateAlarm5B6C7D8E', 'FirewallBlockSpikeAlarm9F0A1B2C'],
  Replica: ['DatabaseLagAlarm3C4D5E6F', 'UndeliveredAlertsAlarm7A8B9C0D'],
};

/** A compliant deployment of `cfg`: every check should pass (or skip). */
export function compliantWorld(cfg: StageConfig): World {
  const i = ids(cfg);
  const stack = (part: string) => `Bulwark-${cfg.title}-${part}`;
  const outputs: Record<string, Record<string, string>> = {
    Network: {},
    Recovery: { ReplicaBucketName: i.replicaBucket },
    Data: { BackupBucketName: i.backupBucket },
    Security: {
      AlertTopicArn: i.alertTopic,
      TrailArn: i.trailArn,
      ...(cfg.guardDuty === 'create' ? { DetectorId: i.detectorId } : {}),
      ...(cfg.awsConfig === 'create' ? { ConfigRecorderName: i.configRecorder } : {}),
      UserPoolId: i.userPoolId,
      CmsClientId: i.cmsClientId,
      BlocklistTableName: `Bulwark-${cfg.title}-Security-BlocklistTable9A8B7C6D-1QW2E3R4T5Y6`,
      ThreatResponseFunctionName: `Bulwark-${cfg.title}-Secu-ThreatResponseFunction-aBcDeFgHiJkL`,
      BreakGlassSessionDocumentName: i.sessionDocument,
      BreakGlassSessionLogGroupName: i.sessionLogGroup,
      BreakGlassSessionBucketName: i.sessionBucket,
      BreakGlassAssumedAlarmName: i.breakGlassAlarm,
    },
    App: {
      LoadBalancerArn: i.loadBalancerArn,
      RegionalWebAclArn: i.regionalAcl,
      RegionalBlockedV4Arn: i.regionalV4,
      RegionalBlockedV6Arn: i.regionalV6,
      ...(cfg.backup.runner === 'lambda'
        ? { BackupFunctionName: `Bulwark-${cfg.title}-App-NightlyBackupFunction-XyZ123AbC456` }
        : {
            BackupClusterArn: `arn:aws:ecs:${cfg.region}:${cfg.account}:cluster/Bulwark-${cfg.title}-App-NightlyBackupTaskCluster-XyZ123AbC456`,
            BackupTaskDefinitionArn: `arn:aws:ecs:${cfg.region}:${cfg.account}:task-definition/Bulwark${cfg.title}AppNightlyBackupTaskTaskDefinition:3`,
          }),
    },
    ...(cfg.database.crossRegionReplica
      ? {
          Replica: {
            ReplicaInstanceIdentifier: `bulwark-${cfg.name}-db-dr`,
            ReplicaLagAlarmName: `Bulwark-${cfg.title}-Replica-DatabaseLagAlarm3C4D5E6F-AbC123`,
            AlertTopicArn: i.replicaAlertTopic,
          },
        }
      : {}),
    Edge: {
      DistributionId: i.distributionId,
      DistributionArn: i.distributionArn,
      DistributionDomainName: 'd111111abcdef8.cloudfront.net',
      EdgeWebAclArn: i.edgeAcl,
      EdgeBlockedV4Arn: i.edgeV4,
      EdgeBlockedV6Arn: i.edgeV6,
      AlertTopicArn: i.edgeAlertTopic,
    },
    DeployAccess: {
      DeployRoleArn: `arn:aws:iam::${cfg.account}:role/bulwark-${cfg.name}-deploy`,
      DeliveryReadRoleArn: `arn:aws:iam::${cfg.account}:role/bulwark-${cfg.name}-delivery-read`,
    },
  };
  const regionOf = (part: string) =>
    part === 'Edge'
      ? 'us-east-1'
      : part === 'Recovery' || part === 'Replica'
        ? cfg.drRegion
        : cfg.region;
  const stacks: Record<string, StackState> = {};
  for (const part of Object.keys(outputs)) {
    stacks[stack(part)] = {
      region: regionOf(part),
      outputs: outputs[part],
      resources: [
        otherResource('Placeholder', 'AWS::CloudFormation::WaitConditionHandle', 'https://example'),
        ...(ALARMS[part] ?? []).map((id) => alarmResource(stack(part), id)),
      ],
    };
  }

  const alarms: Record<string, MetricAlarm> = {};
  for (const [name, state] of Object.entries(stacks)) {
    const topic = name.endsWith('-Edge')
      ? i.edgeAlertTopic
      : name.endsWith('-Replica')
        ? i.replicaAlertTopic
        : i.alertTopic;
    for (const r of state.resources.filter((x) => x.ResourceType === 'AWS::CloudWatch::Alarm')) {
      const alarmName = r.PhysicalResourceId!;
      alarms[alarmName] = {
        AlarmName: alarmName,
        AlarmArn: `arn:aws:cloudwatch:${state.region}:${cfg.account}:alarm:${alarmName}`,
        AlarmDescription: `${r.LogicalResourceId} of ${name}`,
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [topic],
        InsufficientDataActions: [],
        StateValue: 'OK',
        StateReason:
          'Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (1.0).',
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Dimensions: [],
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      };
    }
  }

  const lock = (): ObjectLockConfiguration => ({
    ObjectLockEnabled: 'Enabled',
    Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: cfg.backupRetentionDays } },
  });
  const replicas = Array.from(
    { length: cfg.database.readReplicas },
    (_, n) => `bulwark-${cfg.name}-db-replica-${n + 1}`,
  );
  const drReplicaArn = `arn:aws:rds:${cfg.drRegion}:${cfg.account}:db:${i.drReplica}`;

  return {
    account: cfg.account,
    stacks,
    detectorIds: [i.detectorId],
    detector: {
      CreatedAt: '2026-05-04T10:00:00.000Z',
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
      ServiceRole: `arn:aws:iam::${cfg.account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      Status: 'ENABLED',
      UpdatedAt: '2026-05-04T10:00:00.000Z',
      Features: [
        { Name: 'CLOUD_TRAIL', Status: 'ENABLED', UpdatedAt: new Date('2026-05-04T10:00:00Z') },
        { Name: 'DNS_LOGS', Status: 'ENABLED', UpdatedAt: new Date('2026-05-04T10:00:00Z') },
        { Name: 'FLOW_LOGS', Status: 'ENABLED', UpdatedAt: new Date('2026-05-04T10:00:00Z') },
        { Name: 'S3_DATA_EVENTS', Status: 'ENABLED', UpdatedAt: new Date('2026-05-04T10:00:00Z') },
        { Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED', UpdatedAt: new Date('2026-05-04T10:00:00Z') },
        {
          Name: 'EBS_MALWARE_PROTECTION',
          Status: 'ENABLED',
          UpdatedAt: new Date('2026-05-04T10:00:00Z'),
        },
        {
          Name: 'RDS_LOGIN_EVENTS',
          Status: 'ENABLED',
          UpdatedAt: new Date('2026-05-04T10:00:00Z'),
        },
        {
          Name: 'RUNTIME_MONITORING',
          Status: 'DISABLED',
          UpdatedAt: new Date('2026-05-04T10:00:00Z'),
          AdditionalConfiguration: [
            {
              Name: 'EKS_ADDON_MANAGEMENT',
              Status: 'DISABLED',
              UpdatedAt: new Date('2026-05-04T10:00:00Z'),
            },
          ],
        },
        {
          Name: 'LAMBDA_NETWORK_LOGS',
          Status: 'ENABLED',
          UpdatedAt: new Date('2026-05-04T10:00:00Z'),
        },
      ],
      Tags: { 'bulwark:stage': cfg.name },
    },
    loadBalancerAcl: webAcl(cfg, 'origin'),
    distributionConfig: {
      CallerReference: 'bulwark-distribution',
      Comment: `Bulwark ${cfg.name}`,
      Enabled: true,
      WebACLId: i.edgeAcl,
      HttpVersion: 'http2and3',
      IsIPV6Enabled: true,
      PriceClass: cfg.edge.priceClass,
      Origins: {
        Quantity: 1,
        Items: [
          {
            Id: 'ApiOrigin',
            DomainName: `origin.${cfg.domainName}`,
            VpcOriginConfig: { VpcOriginId: 'vo_BQwjxxQxHaAyrUFdEXAMPLE' },
          },
        ],
      },
      DefaultCacheBehavior: {
        TargetOriginId: 'ApiOrigin',
        ViewerProtocolPolicy: 'redirect-to-https',
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      },
    },
    webAcls: {
      [`REGIONAL/bulwark-${cfg.name}-origin`]: webAcl(cfg, 'origin'),
      [`CLOUDFRONT/bulwark-${cfg.name}-edge`]: webAcl(cfg, 'edge'),
    },
    trail: {
      Name: i.trailArn.split('/').at(-1),
      S3BucketName: `bulwark-${cfg.name}-security-audittrailbucket-1x2y3z4w5v6u`,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: cfg.region,
      TrailARN: i.trailArn,
      LogFileValidationEnabled: true,
      CloudWatchLogsLogGroupArn: `arn:aws:logs:${cfg.region}:${cfg.account}:log-group:Bulwark-${cfg.title}-Security-AuditTrailLogGroup:*`,
      CloudWatchLogsRoleArn: `arn:aws:iam::${cfg.account}:role/Bulwark-${cfg.title}-Security-AuditTrailLogsRole`,
      KmsKeyId: i.auditKey,
      HasCustomEventSelectors: true,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    },
    trailStatus: {
      IsLogging: true,
      LatestDeliveryTime: new Date('2026-05-04T09:55:00Z'),
      LatestDigestDeliveryTime: new Date('2026-05-04T09:10:00Z'),
      LatestCloudWatchLogsDeliveryTime: new Date('2026-05-04T09:56:00Z'),
      StartLoggingTime: new Date('2026-04-01T08:00:00Z'),
      TimeLoggingStarted: '2026-04-01T08:00:00Z',
      TimeLoggingStopped: '',
    },
    objectLock: { [i.backupBucket]: lock(), [i.replicaBucket]: lock() },
    replication: {
      Role: `arn:aws:iam::${cfg.account}:role/Bulwark-${cfg.title}-Data-BackupReplicationRole`,
      Rules: [
        {
          ID: 'CopyToRecoveryRegion',
          Priority: 0,
          Filter: { Prefix: '' },
          Status: 'Enabled',
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: {
            Bucket: `arn:aws:s3:::${i.replicaBucket}`,
            EncryptionConfiguration: { ReplicaKmsKeyID: i.replicaKey },
            ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
            Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
          },
          DeleteMarkerReplication: { Status: 'Disabled' },
        },
      ],
    },
    databases: {
      [i.database]: {
        DBInstanceIdentifier: i.database,
        DBInstanceClass: `db.${cfg.database.instanceClass}`,
        Engine: 'postgres',
        EngineVersion: '18.1',
        DBInstanceStatus: 'available',
        MasterUsername: 'postgres',
        Endpoint: {
          Address: `${i.database}.c9akciq32.${cfg.region}.rds.amazonaws.com`,
          Port: 5432,
          HostedZoneId: 'Z29XKXDKYMONMX',
        },
        AllocatedStorage: cfg.database.allocatedStorageGiB,
        BackupRetentionPeriod: cfg.backupRetentionDays,
        MultiAZ: cfg.database.multiAz,
        // RDS lists a replica in another region by its ARN.
        ReadReplicaDBInstanceIdentifiers: [
          ...replicas,
          ...(cfg.database.crossRegionReplica ? [drReplicaArn] : []),
        ],
        PubliclyAccessible: false,
        StorageType: 'gp3',
        StorageEncrypted: true,
        KmsKeyId: i.dataKey,
        DbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2',
        IAMDatabaseAuthenticationEnabled: true,
        DeletionProtection: true,
        DBInstanceArn: `arn:aws:rds:${cfg.region}:${cfg.account}:db:${i.database}`,
        DBParameterGroups: [
          { DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync' },
        ],
        EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      },
      ...Object.fromEntries(
        replicas.map((id, n) => [
          id,
          {
            DBInstanceIdentifier: id,
            DBInstanceClass: `db.${cfg.database.instanceClass}`,
            Engine: 'postgres',
            EngineVersion: '18.1',
            DBInstanceStatus: 'available',
            Endpoint: {
              Address: `${id}.c9akciq32.${cfg.region}.rds.amazonaws.com`,
              Port: 5432,
              HostedZoneId: 'Z29XKXDKYMONMX',
            },
            ReadReplicaSourceDBInstanceIdentifier: i.database,
            AvailabilityZone: `${cfg.region}${'bc'[n % 2]}`,
            StorageEncrypted: true,
            KmsKeyId: i.dataKey,
            DbiResourceId: `db-REPLICA${n + 1}EXAMPLEABCDEFGHIJKLMN`,
            DBInstanceArn: `arn:aws:rds:${cfg.region}:${cfg.account}:db:${id}`,
            DBParameterGroups: [
              { DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync' },
            ],
            EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
          } satisfies DBInstance,
        ]),
      ),
      ...(cfg.database.crossRegionReplica ? { [i.drReplica]: drReplica(cfg) } : {}),
    },
    parameterGroups: { [i.parameterGroup]: parameterGroup() },
    protections: cfg.shield.advanced
      ? Object.fromEntries(
          [
            [i.loadBalancerArn, `bulwark-${cfg.name}-alb`, 'a1b2c3d4-0000-1111-2222-EXAMPLEALB01'],
            [i.distributionArn, `bulwark-${cfg.name}-cdn`, 'a1b2c3d4-0000-1111-2222-EXAMPLECDN01'],
          ].map(([arn, name, id]) => [
            arn,
            {
              Id: id,
              Name: name,
              ResourceArn: arn,
              HealthCheckIds: [],
              ProtectionArn: `arn:aws:shield::${cfg.account}:protection/${id}`,
            },
          ]),
        )
      : {},
    alarms,
    ...people(cfg),
    configRecorders: [
      {
        arn: `arn:aws:config:${cfg.region}:${cfg.account}:configuration-recorder/${i.configRecorder}/abcdefghijklmnop`,
        name: i.configRecorder,
        roleARN: `arn:aws:iam::${cfg.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
        recordingGroup: {
          allSupported: true,
          includeGlobalResourceTypes: true,
          resourceTypes: [],
          exclusionByResourceTypes: { resourceTypes: [] },
          recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
        },
        recordingMode: { recordingFrequency: 'CONTINUOUS', recordingModeOverrides: [] },
        recordingScope: 'PAID',
      },
    ],
    configStatus: [
      {
        name: i.configRecorder,
        lastStartTime: new Date('2026-11-02T00:00:00Z'),
        recording: true,
        lastStatus: 'Success',
        lastStatusChangeTime: new Date('2026-12-01T00:00:00Z'),
      },
    ],
    deliveryChannels: [
      {
        name: `Bulwark-${cfg.title}-Security-ConfigDeliveryChannel51D44D28-9ZY8XW7VU6TS`,
        s3BucketName: `bulwark-${cfg.name}-security-configbucketf2111528-abc123def456`,
        s3KmsKeyArn: i.auditKey,
        configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
      },
    ],
    sessionDocuments: {
      [i.sessionDocument]: {
        Name: i.sessionDocument,
        DocumentVersion: '2',
        Status: 'Active',
        DocumentType: 'Session',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({
          schemaVersion: '1.0',
          description: 'Bulwark break-glass session: recorded to CloudWatch Logs and S3, encrypted',
          sessionType: 'Standard_Stream',
          inputs: {
            s3BucketName: i.sessionBucket,
            s3KeyPrefix: `break-glass/${cfg.name}`,
            s3EncryptionEnabled: true,
            cloudWatchLogGroupName: i.sessionLogGroup,
            cloudWatchEncryptionEnabled: true,
            cloudWatchStreamingEnabled: true,
            kmsKeyId: i.sessionKey,
            runAsEnabled: false,
            idleSessionTimeout: '15',
            maxSessionDuration: '60',
            shellProfile: { linux: 'export PGUSER=bulwark_operator', windows: '' },
          },
        }),
      },
    },
    metrics: metrics(cfg),
    refusals: [],
  };
}

/**
 * The cross-region read replica of a compliant stage, as DescribeDBInstances returns it
 * in the DR region: encrypted with the DR region's key, replicating the primary's ARN.
 */
function drReplica(cfg: StageConfig): DBInstance {
  const i = ids(cfg);
  return {
    DBInstanceIdentifier: i.drReplica,
    DBInstanceClass: `db.${cfg.database.instanceClass}`,
    Engine: 'postgres',
    EngineVersion: '18.1',
    DBInstanceStatus: 'available',
    Endpoint: {
      Address: `${i.drReplica}.c7bkqo9bcd1e.${cfg.drRegion}.rds.amazonaws.com`,
      Port: 5432,
      HostedZoneId: 'Z1RLNUO7B9Q6NB',
    },
    AvailabilityZone: `${cfg.drRegion}a`,
    BackupRetentionPeriod: 0,
    MultiAZ: false,
    ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${cfg.region}:${cfg.account}:db:${i.database}`,
    ReadReplicaDBInstanceIdentifiers: [],
    PubliclyAccessible: false,
    StorageType: 'gp3',
    StorageEncrypted: true,
    KmsKeyId: i.drReplicaKey,
    DbiResourceId: 'db-DRREPLICAEXAMPLEABCDEFGHIJ',
    DeletionProtection: false,
    DBInstanceArn: `arn:aws:rds:${cfg.drRegion}:${cfg.account}:db:${i.drReplica}`,
    EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
  };
}

/**
 * The metrics of a compliant stage, relative to now: one nightly export succeeded
 * five hours ago (and one two days ago, outside any window), and with a cross-region
 * replica, a small lag every minute of the last quarter hour.
 */
function metrics(cfg: StageConfig): MetricSeries[] {
  const hour = 3_600_000;
  const now = Date.now();
  const hourOf = (t: number) => new Date(Math.floor(t / hour) * hour);
  return [
    {
      region: cfg.region,
      namespace: 'Bulwark/Backup',
      metricName: 'BackupSucceeded',
      dimensions: { service: 'nightly-backup' },
      datapoints: [
        { Timestamp: hourOf(now - 48 * hour), Sum: 1, Unit: 'Count' },
        { Timestamp: hourOf(now - 5 * hour), Sum: 1, Unit: 'Count' },
      ],
    },
    ...(cfg.database.crossRegionReplica
      ? [
          {
            region: cfg.drRegion,
            namespace: 'AWS/RDS',
            metricName: 'ReplicaLag',
            dimensions: { DBInstanceIdentifier: ids(cfg).drReplica },
            datapoints: Array.from({ length: 15 }, (_, n) => ({
              Timestamp: new Date(Math.floor(now / 60_000) * 60_000 - (n + 1) * 60_000),
              Maximum: [2, 4, 3][n % 3],
              Unit: 'Seconds' as const,
            })),
          },
        ]
      : []),
  ];
}

/**
 * The people's user pool of a compliant stage, as DescribeUserPool,
 * GetUserPoolMfaConfig, DescribeUserPoolClient and DescribeIdentityProvider return it.
 */
function people(
  cfg: StageConfig,
): Pick<World, 'userPool' | 'mfaConfig' | 'userPoolClient' | 'identityProviders'> {
  const i = ids(cfg);
  const created = new Date('2026-04-01T08:00:00Z');
  const updated = new Date('2026-05-04T10:00:00Z');
  const message = 'The verification code to your new account is {####}';
  const saml = cfg.people.saml;
  return {
    userPool: {
      Id: i.userPoolId,
      Name: `bulwark-${cfg.name}-people`,
      Arn: `arn:aws:cognito-idp:${cfg.region}:${cfg.account}:userpool/${i.userPoolId}`,
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 1,
        },
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
      },
      DeletionProtection: 'ACTIVE',
      LambdaConfig: {},
      LastModifiedDate: updated,
      CreationDate: created,
      SchemaAttributes: [
        {
          Name: 'sub',
          AttributeDataType: 'String',
          DeveloperOnlyAttribute: false,
          Mutable: false,
          Required: true,
          StringAttributeConstraints: { MinLength: '1', MaxLength: '2048' },
        },
        {
          Name: 'email',
          AttributeDataType: 'String',
          DeveloperOnlyAttribute: false,
          Mutable: true,
          Required: false,
          StringAttributeConstraints: { MinLength: '0', MaxLength: '2048' },
        },
      ],
      AutoVerifiedAttributes: ['email'],
      UsernameAttributes: ['email'],
      SmsVerificationMessage: message,
      EmailVerificationMessage: message,
      EmailVerificationSubject: 'Verify your new account',
      VerificationMessageTemplate: {
        SmsMessage: message,
        EmailMessage: message,
        EmailSubject: 'Verify your new account',
        DefaultEmailOption: 'CONFIRM_WITH_CODE',
      },
      MfaConfiguration: 'ON',
      EstimatedNumberOfUsers: 12,
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
      UserPoolTags: {
        'bulwark:managed-by': 'cdk',
        'bulwark:project': 'bulwark',
        'bulwark:stage': cfg.name,
      },
      Domain: cfg.people.domainPrefix,
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: true,
        UnusedAccountValidityDays: 7,
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      UsernameConfiguration: { CaseSensitive: false },
      AccountRecoverySetting: {
        RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
      },
      UserPoolTier: 'PLUS',
    },
    mfaConfig: {
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'ON',
    },
    userPoolClient: {
      UserPoolId: i.userPoolId,
      ClientName: 'bulwark-cms',
      ClientId: i.cmsClientId,
      LastModifiedDate: updated,
      CreationDate: created,
      RefreshTokenValidity: cfg.people.refreshTokenHours * 60,
      AccessTokenValidity: cfg.people.accessTokenMinutes,
      IdTokenValidity: cfg.people.accessTokenMinutes,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: saml ? [saml.name] : ['COGNITO'],
      CallbackURLs: cfg.people.callbackUrls,
      LogoutURLs: cfg.people.logoutUrls,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      EnablePropagateAdditionalUserContextData: false,
      AuthSessionValidity: 3,
    },
    identityProviders: saml
      ? {
          [saml.name]: {
            UserPoolId: i.userPoolId,
            ProviderName: saml.name,
            ProviderType: 'SAML',
            ProviderDetails: {
              IDPSignout: 'true',
              ...(saml.metadataUrl ? { MetadataURL: saml.metadataUrl } : {}),
              SLORedirectBindingURI: 'https://idp.example.com/saml/logout',
              SSORedirectBindingURI: 'https://idp.example.com/saml/sso',
              ActiveEncryptionCertificate: 'MIICvTCCAaWgAwIBAgIJAKEXAMPLE',
            },
            AttributeMapping: {
              email: saml.attributeMapping.email!,
              ...(saml.attributeMapping.name ? { name: saml.attributeMapping.name } : {}),
            },
            IdpIdentifiers: [],
            LastModifiedDate: updated,
            CreationDate: created,
          },
        }
      : {},
  };
}

const metadata = {
  httpStatusCode: 200,
  requestId: 'c5b5f6e0-8f7a-4a0e-9c9b-EXAMPLE00000',
  attempts: 1,
  totalRetryDelay: 0,
};
const failure = {
  httpStatusCode: 400,
  requestId: 'd6c6a7f1-9a8b-4b1f-8d0c-EXAMPLE11111',
  attempts: 1,
  totalRetryDelay: 0,
};

/** CloudFormation's answer for a stack that does not exist (a generic ValidationError). */
export const missingStack = (name: string) =>
  new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: failure,
    message: `Stack with id ${name} does not exist`,
  });

const SERVICE_EXCEPTIONS = {
  cloudformation: CloudFormationServiceException,
  rds: RDSServiceException,
  s3: S3ServiceException,
};

/** An `AccessDenied` as the query and REST-XML APIs (CloudFormation, RDS, S3) report it. */
export const accessDenied = (service: keyof typeof SERVICE_EXCEPTIONS, message: string) =>
  new SERVICE_EXCEPTIONS[service]({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { ...failure, httpStatusCode: 403 },
    message,
  });

/** Points every mocked client at `world`; answers are read at call time. */
export function answerFrom(world: World): void {
  for (const mock of Object.values(aws)) mock.reset();
  const answer =
    (command: string, respond: (input: any, region: () => Promise<string>) => object) =>
    async (input: any, getClient: () => any): Promise<object> => {
      const refusal = world.refusals.find(
        (r) => r.command === command && (!r.when || r.when(input)),
      );
      if (refusal) throw refusal.error;
      return {
        $metadata: metadata,
        ...(await respond(input, () => getClient().config.region())),
      };
    };
  const stackOf = (name: string) => {
    const state = world.stacks[name];
    if (!state) throw missingStack(name);
    return state;
  };

  aws.sts.on(GetCallerIdentityCommand).callsFake(
    answer('GetCallerIdentity', () => ({
      UserId: 'AROA3XFRBF535PLBIFPI4:alice',
      Account: world.account,
      Arn: `arn:aws:sts::${world.account}:assumed-role/BulwarkReadOnly/alice`,
    })),
  );
  aws.cloudFormation.on(DescribeStacksCommand).callsFake(
    answer('DescribeStacks', ({ StackName }) => {
      const state = stackOf(StackName);
      return {
        Stacks: [
          {
            StackId: `arn:aws:cloudformation:${state.region}:${world.account}:stack/${StackName}/5b6a1f70-0a6f-11f1-8f4e-EXAMPLE`,
            StackName,
            CreationTime: new Date('2026-04-01T08:00:00Z'),
            LastUpdatedTime: new Date('2026-05-04T10:00:00Z'),
            StackStatus: 'UPDATE_COMPLETE',
            DisableRollback: false,
            NotificationARNs: [],
            Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
            Outputs: Object.entries(state.outputs).map(([OutputKey, OutputValue]) => ({
              OutputKey,
              OutputValue,
            })),
            Tags: [{ Key: 'bulwark:project', Value: 'bulwark' }],
            EnableTerminationProtection: /-(Network|Recovery|Data|Security)$/.test(StackName),
            DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
          },
        ],
      };
    }),
  );
  aws.cloudFormation.on(ListStackResourcesCommand).callsFake(
    answer('ListStackResources', ({ StackName }) => ({
      StackResourceSummaries: stackOf(StackName).resources,
    })),
  );
  aws.ssm.on(GetDocumentCommand).callsFake(
    answer('GetDocument', ({ Name }) => {
      const doc = world.sessionDocuments[Name as string];
      if (!doc) {
        throw new InvalidDocument({
          $metadata: failure,
          message: 'Document with name does not exist.',
        });
      }
      return doc;
    }),
  );
  aws.cloudWatch.on(DescribeAlarmsCommand).callsFake(
    answer('DescribeAlarms', ({ AlarmNames }) => ({
      MetricAlarms: (AlarmNames as string[])
        .filter((n) => world.alarms[n])
        .map((n) => world.alarms[n]),
      CompositeAlarms: [],
    })),
  );
  aws.cloudWatch.on(GetMetricStatisticsCommand).callsFake(
    answer('GetMetricStatistics', async (input, region) => {
      const inRegion = await region();
      const dims = Object.fromEntries(
        (input.Dimensions ?? []).map((d: { Name: string; Value: string }) => [d.Name, d.Value]),
      );
      const series = world.metrics.find(
        (m) =>
          m.region === inRegion &&
          m.namespace === input.Namespace &&
          m.metricName === input.MetricName &&
          JSON.stringify(Object.entries(m.dimensions).sort()) ===
            JSON.stringify(Object.entries(dims).sort()),
      );
      return {
        Label: input.MetricName,
        Datapoints: (series?.datapoints ?? []).filter(
          (d) => d.Timestamp! >= input.StartTime && d.Timestamp! < input.EndTime,
        ),
      };
    }),
  );
  aws.guardDuty
    .on(ListDetectorsCommand)
    .callsFake(answer('ListDetectors', () => ({ DetectorIds: world.detectorIds })));
  aws.guardDuty.on(GetDetectorCommand).callsFake(
    answer('GetDetector', ({ DetectorId }) => {
      if (!world.detectorIds.includes(DetectorId)) {
        throw new BadRequestException({
          $metadata: failure,
          message:
            'The request is rejected because the input detectorId is not owned by the current account.',
          Type: 'InvalidInputException',
        });
      }
      return world.detector;
    }),
  );
  aws.wafv2
    .on(GetWebACLForResourceCommand)
    .callsFake(
      answer('GetWebACLForResource', () =>
        world.loadBalancerAcl ? { WebACL: world.loadBalancerAcl } : {},
      ),
    );
  aws.wafv2.on(GetWebACLCommand).callsFake(
    answer('GetWebACL', ({ Name, Scope, Id }) => {
      const acl = world.webAcls[`${Scope}/${Name}`];
      if (!acl || acl.Id !== Id) {
        throw new WAFNonexistentItemException({
          $metadata: failure,
          message: "AWS WAF couldn't perform the operation because your resource doesn't exist.",
        });
      }
      return { WebACL: acl, LockToken: '0f5cd6c5-2b3e-4e4a-9b3c-EXAMPLE99999' };
    }),
  );
  aws.cloudFront.on(GetDistributionConfigCommand).callsFake(
    answer('GetDistributionConfig', () => ({
      DistributionConfig: world.distributionConfig,
      ETag: 'E2QWRUHEXAMPLE',
    })),
  );
  aws.cloudTrail.on(GetTrailCommand).callsFake(answer('GetTrail', () => ({ Trail: world.trail })));
  aws.cloudTrail
    .on(GetTrailStatusCommand)
    .callsFake(answer('GetTrailStatus', () => world.trailStatus));
  aws.s3.on(GetObjectLockConfigurationCommand).callsFake(
    answer('GetObjectLockConfiguration', ({ Bucket }) => {
      const config = world.objectLock[Bucket];
      if (!config) {
        throw new S3ServiceException({
          name: 'ObjectLockConfigurationNotFoundError',
          $fault: 'client',
          $metadata: { ...failure, httpStatusCode: 404 },
          message: 'Object Lock configuration does not exist for this bucket',
        });
      }
      return { ObjectLockConfiguration: config };
    }),
  );
  aws.s3
    .on(GetBucketReplicationCommand)
    .callsFake(
      answer('GetBucketReplication', () => ({ ReplicationConfiguration: world.replication })),
    );
  aws.rds.on(DescribeDBInstancesCommand).callsFake(
    answer('DescribeDBInstances', ({ DBInstanceIdentifier }) => {
      const db = world.databases[DBInstanceIdentifier];
      if (!db) {
        throw new DBInstanceNotFoundFault({
          $metadata: { ...failure, httpStatusCode: 404 },
          message: `DBInstance ${DBInstanceIdentifier} not found.`,
        });
      }
      return { DBInstances: [db] };
    }),
  );
  aws.rds.on(DescribeDBParametersCommand).callsFake(
    answer('DescribeDBParameters', ({ DBParameterGroupName, Marker, MaxRecords }) => {
      const all = world.parameterGroups[DBParameterGroupName];
      if (!all) {
        throw new DBParameterGroupNotFoundFault({
          $metadata: { ...failure, httpStatusCode: 404 },
          message: `DBParameterGroup not found: ${DBParameterGroupName}`,
        });
      }
      const start = Marker ? Number(Buffer.from(Marker, 'base64').toString()) : 0;
      const end = start + (MaxRecords ?? 100);
      return {
        Parameters: all.slice(start, end),
        ...(end < all.length ? { Marker: Buffer.from(String(end)).toString('base64') } : {}),
      };
    }),
  );
  const userPool = (UserPoolId: string) => {
    if (UserPoolId !== world.userPool.Id) {
      throw new CognitoResourceNotFound({
        $metadata: failure,
        message: `User pool ${UserPoolId} does not exist.`,
      });
    }
  };
  aws.cognito.on(DescribeUserPoolCommand).callsFake(
    answer('DescribeUserPool', ({ UserPoolId }) => {
      userPool(UserPoolId);
      return { UserPool: world.userPool };
    }),
  );
  aws.cognito.on(GetUserPoolMfaConfigCommand).callsFake(
    answer('GetUserPoolMfaConfig', ({ UserPoolId }) => {
      userPool(UserPoolId);
      return world.mfaConfig;
    }),
  );
  aws.cognito.on(DescribeUserPoolClientCommand).callsFake(
    answer('DescribeUserPoolClient', ({ UserPoolId, ClientId }) => {
      userPool(UserPoolId);
      if (ClientId !== world.userPoolClient.ClientId) {
        throw new CognitoResourceNotFound({
          $metadata: failure,
          message: `User pool client ${ClientId} does not exist.`,
        });
      }
      return { UserPoolClient: world.userPoolClient };
    }),
  );
  aws.cognito.on(DescribeIdentityProviderCommand).callsFake(
    answer('DescribeIdentityProvider', ({ UserPoolId, ProviderName }) => {
      userPool(UserPoolId);
      const provider = world.identityProviders[ProviderName];
      if (!provider) {
        throw new CognitoResourceNotFound({
          $metadata: failure,
          message: `Identity provider ${ProviderName} does not exist.`,
        });
      }
      return { IdentityProvider: provider };
    }),
  );
  aws.config.on(DescribeConfigurationRecordersCommand).callsFake(
    answer('DescribeConfigurationRecorders', () => ({
      ConfigurationRecorders: world.configRecorders,
    })),
  );
  aws.config.on(DescribeConfigurationRecorderStatusCommand).callsFake(
    answer('DescribeConfigurationRecorderStatus', ({ ConfigurationRecorderNames }) => ({
      ConfigurationRecordersStatus: world.configStatus.filter(
        (st) => !ConfigurationRecorderNames || ConfigurationRecorderNames.includes(st.name),
      ),
    })),
  );
  aws.config
    .on(DescribeDeliveryChannelsCommand)
    .callsFake(
      answer('DescribeDeliveryChannels', () => ({ DeliveryChannels: world.deliveryChannels })),
    );
  aws.shield.on(DescribeProtectionCommand).callsFake(
    answer('DescribeProtection', ({ ResourceArn }) => {
      const protection = world.protections[ResourceArn];
      if (!protection) {
        throw new ResourceNotFoundException({
          $metadata: failure,
          message: 'The referenced protection does not exist.',
          resourceType: 'protection',
        });
      }
      return { Protection: protection };
    }),
  );
}

/** What one run of the verifier printed and returned. */
export interface VerifyRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The `--json` results (empty when nothing was printed). */
  results: CheckResult[];
}

/**
 * Runs `npm run verify -- <argv>` in process against the mocked clients, with
 * `--json` unless `table` is asked for.
 */
export async function verify(
  argv: readonly string[],
  { table = false }: { table?: boolean } = {},
): Promise<VerifyRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const clients = awsClients();
  try {
    const code = await run(table ? argv : [...argv, '--json'], {
      clients,
      stdout: (t) => stdout.push(t),
      stderr: (t) => stderr.push(t),
    });
    const out = stdout.join('\n');
    return {
      code,
      stdout: out,
      stderr: stderr.join('\n'),
      results: out && !table ? (JSON.parse(out) as CheckResult[]) : [],
    };
  } finally {
    clients.destroy();
  }
}

/** The one result named `check` (fails the test when there is not exactly one). */
export function resultOf(results: readonly CheckResult[], check: string): CheckResult {
  const found = results.filter((r) => r.check === check);
  if (found.length !== 1) throw new Error(`expected one result '${check}', found ${found.length}`);
  return found[0];
}
