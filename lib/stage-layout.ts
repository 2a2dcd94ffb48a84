/**
 * The layout of a stage: its parts, the stack each part is deployed as
 * (`Bulwark-<Title>-<Part>`), the region each deploys to, and the outputs each
 * stack has. The app, the compliance report, the scripts and the tests all read
 * names from here instead of building them.
 */
import { CLOUDFRONT_REGION } from './config/regions';

/** Every stack name starts with this, then `-<Title>-<Part>`. */
export const STACK_NAME_PREFIX = 'Bulwark';

/** The parts of a stage, in the order the app creates (and deploys) them. */
export const STAGE_PARTS = [
  'Network',
  'Recovery',
  'Data',
  'Replica',
  'Security',
  'App',
  'Edge',
  'DeployAccess',
] as const;
/**
 * One part of a stage: `Network`, `Recovery`, `Data`, `Replica` (only with
 * `database.crossRegionReplica`), `Security`, `App`, `Edge` or `DeployAccess`.
 */
export type StagePart = (typeof STAGE_PARTS)[number];

/**
 * Which of a stage's regions a part deploys to: the primary region, the recovery
 * (DR) region, or CloudFront's region (us-east-1).
 */
export type PartRegion = 'primary' | 'dr' | 'cloudfront';

/** The region of each part. */
export const PART_REGIONS: Readonly<Record<StagePart, PartRegion>> = {
  Network: 'primary',
  Recovery: 'dr',
  Data: 'primary',
  Replica: 'dr',
  Security: 'primary',
  App: 'primary',
  Edge: 'cloudfront',
  DeployAccess: 'primary',
};

/** What each part's stack holds (the stack description, after `Bulwark <stage>: `). */
export const PART_DESCRIPTIONS: Readonly<Record<StagePart, string>> = {
  Network: 'isolated VPC, endpoints, flow logs, security groups',
  Recovery: 'object-locked backup replicas in the recovery region',
  Data: 'keys, database, proxy, backup vault, assets, access logs',
  Replica: 'cross-region read replica of the database, its network, key, lag alarm and alerts',
  Security: 'CloudTrail, GuardDuty, Security Hub, alerts, CIS alarms, break-glass access',
  App: 'load balancer, regional WAF, content API, CDN invalidation, schema migrations',
  Edge: 'CloudFront distribution, edge WAF, viewer certificate, access logs, edge alarms, Shield',
  DeployAccess: 'GitHub OIDC provider and the keyless deploy and read roles of the pipeline',
};

/**
 * Output keys of each part's stack (also their logical ids in the template).
 * `Security.detectorId` and `Security.configRecorderName` exist only when the stage
 * creates the detector or the recorder; `App.backupFunctionName` only with the Lambda
 * backup runner, `App.backupClusterArn` and `App.backupTaskDefinitionArn` only with the
 * Fargate one.
 */
export const OUTPUT_KEYS = {
  Network: {},
  Recovery: { replicaBucketName: 'ReplicaBucketName' },
  Data: { backupBucketName: 'BackupBucketName', backupRestoreRoleArn: 'BackupRestoreRoleArn' },
  Replica: {
    replicaInstanceId: 'ReplicaInstanceIdentifier',
    lagAlarmName: 'ReplicaLagAlarmName',
    alertTopicArn: 'AlertTopicArn',
  },
  Security: {
    blocklistTableName: 'BlocklistTableName',
    threatResponseFunctionName: 'ThreatResponseFunctionName',
    userPoolId: 'UserPoolId',
    cmsClientId: 'CmsClientId',
    configRecorderName: 'ConfigRecorderName',
    alertTopicArn: 'AlertTopicArn',
    trailArn: 'TrailArn',
    detectorId: 'DetectorId',
    breakGlassRoleArn: 'BreakGlassRoleArn',
    breakGlassLaunchTemplateId: 'BreakGlassLaunchTemplateId',
    breakGlassSubnetIds: 'BreakGlassSubnetIds',
    breakGlassDocumentName: 'BreakGlassSessionDocumentName',
    breakGlassLogGroupName: 'BreakGlassSessionLogGroupName',
    breakGlassBucketName: 'BreakGlassSessionBucketName',
    breakGlassAlarmName: 'BreakGlassAssumedAlarmName',
    breakGlassRuleName: 'BreakGlassAssumedRuleName',
  },
  App: {
    webAclArn: 'RegionalWebAclArn',
    blockedV4Arn: 'RegionalBlockedV4Arn',
    blockedV6Arn: 'RegionalBlockedV6Arn',
    loadBalancerArn: 'LoadBalancerArn',
    backupFunctionName: 'BackupFunctionName',
    backupClusterArn: 'BackupClusterArn',
    backupTaskDefinitionArn: 'BackupTaskDefinitionArn',
  },
  Edge: {
    alertTopicArn: 'AlertTopicArn',
    webAclArn: 'EdgeWebAclArn',
    blockedV4Arn: 'EdgeBlockedV4Arn',
    blockedV6Arn: 'EdgeBlockedV6Arn',
    distributionId: 'DistributionId',
    distributionDomainName: 'DistributionDomainName',
    distributionArn: 'DistributionArn',
  },
  DeployAccess: {
    deployRoleArn: 'DeployRoleArn',
    readRoleArn: 'DeliveryReadRoleArn',
  },
} as const satisfies Readonly<Record<StagePart, Readonly<Record<string, string>>>>;

/** An output key of the stack of `part`. */
export type OutputKey<P extends StagePart = StagePart> =
  (typeof OUTPUT_KEYS)[P][keyof (typeof OUTPUT_KEYS)[P]];

/**
 * The account-wide services a stage creates (`create`) or takes from the account
 * (`existing`), as its config says. The Security stack records the modes in its template's
 * metadata under {@link ACCOUNT_SERVICES_METADATA}, so the compliance report can tell a
 * service the stage does not create from one that went missing.
 */
export const ACCOUNT_SERVICES = ['guardDuty', 'securityHub', 'awsConfig'] as const;
/** One of {@link ACCOUNT_SERVICES}. */
export type AccountService = (typeof ACCOUNT_SERVICES)[number];
/** The Security stack's template metadata key holding each account service's mode. */
export const ACCOUNT_SERVICES_METADATA = 'Bulwark::AccountServices';

/**
 * The options of a stage's config that decide whether some resources exist at all: the
 * cross-region replica (`database.crossRegionReplica`) and the backup runner
 * (`backup.runner`). The Data stack records their values in its template's metadata
 * under {@link STAGE_OPTIONS_METADATA}, so the compliance report can tell a claim about
 * an option the stage does not choose from a resource that went missing.
 */
export const STAGE_OPTIONS = ['database.crossRegionReplica', 'backup.runner'] as const;
/** One of {@link STAGE_OPTIONS}. */
export type StageOption = (typeof STAGE_OPTIONS)[number];
/** The Data stack's template metadata key holding each stage option's value. */
export const STAGE_OPTIONS_METADATA = 'Bulwark::StageOptions';

/** The regions of a stage (the fields of its config that name them). */
export interface StageRegions {
  /** The primary region. */
  readonly region: string;
  /** The recovery region. */
  readonly drRegion: string;
}

/** The region the stack of `part` deploys to, for a stage with these regions. */
export function regionOf(part: StagePart, stage: StageRegions): string {
  switch (PART_REGIONS[part]) {
    case 'cloudfront':
      return CLOUDFRONT_REGION;
    case 'dr':
      return stage.drRegion;
    default:
      return stage.region;
  }
}

/** `Bulwark-<title>-<part>`: the stack name of a part of the stage titled `title`. */
export function stackName(title: string, part: StagePart): string {
  return `${STACK_NAME_PREFIX}-${title}-${part}`;
}

/** `Bulwark-<title>-*`: a CDK CLI stack pattern matching every stack of the stage. */
export function stageStackPattern(title: string): string {
  return `${STACK_NAME_PREFIX}-${title}-*`;
}

const STACK_NAME = new RegExp(`^${STACK_NAME_PREFIX}-([A-Za-z0-9]+)-([A-Za-z]+)$`);

/** The stage title and part of a stack name, or undefined when it is no stack of a stage. */
export function parseStackName(
  name: string,
): { readonly title: string; readonly part: StagePart } | undefined {
  const [, title, part] = STACK_NAME.exec(name) ?? [];
  return title && isStagePart(part) ? { title, part } : undefined;
}

/** Whether `value` names a part of a stage. */
export function isStagePart(value: unknown): value is StagePart {
  return (STAGE_PARTS as readonly unknown[]).includes(value);
}

/** One stack of a stage: its part, name and region. */
export interface StageStack {
  readonly part: StagePart;
  /** `Bulwark-<Title>-<Part>`. */
  readonly name: string;
  readonly region: string;
}

/** The options of a stage's config that decide which parts it has. */
export interface StageOptions {
  readonly database?: { readonly crossRegionReplica?: boolean };
}

/**
 * The parts a stage has, in {@link STAGE_PARTS} order: every part, but `Replica` only
 * with `database.crossRegionReplica`.
 */
export function stageParts(stage: StageOptions): StagePart[] {
  return STAGE_PARTS.filter((part) => part !== 'Replica' || stage.database?.crossRegionReplica);
}

/**
 * Every stack of a stage ({@link stageParts}), in {@link STAGE_PARTS} order: Edge in
 * us-east-1, Recovery and Replica in the DR region, the rest in the primary region
 * (`primaryRegion`, by default the stage's own).
 */
export function stageStacks(
  stage: StageRegions & StageOptions & { readonly title: string },
  primaryRegion = stage.region,
): StageStack[] {
  const regions = { region: primaryRegion, drRegion: stage.drRegion };
  return stageParts(stage).map((part) => ({
    part,
    name: stackName(stage.title, part),
    region: regionOf(part, regions),
  }));
}
