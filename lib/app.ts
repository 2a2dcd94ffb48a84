import { App, Tags } from 'aws-cdk-lib';
import { ConfigError, loadStageConfigs, type StageConfig } from './config';
import { acknowledgeOnceCreated } from './compliance/acknowledgements';
import { CROSS_REGION_PROVIDER_IDS } from './compliance/cdk-internal';
import { addNagPacks } from './compliance/nag-packs';
import { AppStack } from './stacks/app-stack';
import { DataStack } from './stacks/data-stack';
import { DeployAccessStack } from './stacks/deploy-access-stack';
import { EdgeStack } from './stacks/edge-stack';
import { NetworkStack } from './stacks/network-stack';
import { RecoveryStack } from './stacks/recovery-stack';
import { ReplicaStack } from './stacks/replica-stack';
import { SecurityStack } from './stacks/security-stack';
import { PART_DESCRIPTIONS, type StagePart, regionOf, stackName } from './stage-layout';
import { useCachedValidation } from './validation-cache';

/**
 * Resource types left untagged: aws-cdk-lib tags them, but the CloudFormation
 * resource schemas that cfn-lint validates against (`npm run lint:templates`) have
 * no `Tags` for them, and the AWS template reference documents none. Tags on a
 * listener, a listener rule or a proxy's target group carry no control.
 */
export const UNTAGGED_TYPES = [
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::RDS::DBProxyTargetGroup',
];

/** The stacks of one stage. */
export interface StageStacks {
  /** The stage's validated configuration. */
  readonly config: StageConfig;
  /** VPC, endpoints, flow logs, security groups. */
  readonly network: NetworkStack;
  /** Backup replicas in the recovery region. */
  readonly recovery: RecoveryStack;
  /** Keys, database, buckets. */
  readonly data: DataStack;
  /** The database's cross-region read replica (`database.crossRegionReplica`). */
  readonly replica?: ReplicaStack;
  /** Audit trail, threat detection, alerting. */
  readonly security: SecurityStack;
  /** Load balancer, regional WAF, content API, invalidations, schema migrations. */
  readonly app: AppStack;
  /** Distribution, edge web ACL, viewer certificate, edge logs and alarms (us-east-1). */
  readonly edge: EdgeStack;
  /** GitHub OIDC provider and the pipeline's deploy and read roles. */
  readonly deployAccess: DeployAccessStack;
}

/** Creates every stack of one stage in the app. Stacks only wire constructs. */
export function addStage(scope: App, config: StageConfig): StageStacks {
  const name = (part: StagePart) => stackName(config.title, part);
  const props = (part: StagePart) => ({
    env: { account: config.account, region: regionOf(part, config) },
    config,
    description: `Bulwark ${config.name}: ${PART_DESCRIPTIONS[part]}`,
  });

  const network = new NetworkStack(scope, name('Network'), props('Network'));
  const recovery = new RecoveryStack(scope, name('Recovery'), props('Recovery'));
  const data = new DataStack(scope, name('Data'), {
    ...props('Data'),
    network: network.network,
    securityGroups: network.securityGroups,
  });
  data.addStackDependency(recovery, 'backups replicate into the recovery bucket by name');
  let replica: ReplicaStack | undefined;
  if (config.database.crossRegionReplica) {
    replica = new ReplicaStack(scope, name('Replica'), props('Replica'));
    replica.addStackDependency(data, 'the replica replicates the primary by ARN');
  }
  const security = new SecurityStack(scope, name('Security'), {
    ...props('Security'),
    accessLogBucket: data.accessLogBucket,
    dataEventBuckets: [data.backupBucket, data.assetsBucket],
    network: network.network,
    securityGroups: network.securityGroups,
    databaseProxy: data.database.proxy,
  });

  const app = new AppStack(scope, name('App'), { ...props('App'), network, data, security });
  const edge = new EdgeStack(scope, name('Edge'), { ...props('Edge'), app, data });
  const deployAccess = new DeployAccessStack(scope, name('DeployAccess'), props('DeployAccess'));

  for (const stack of [data, app, edge]) {
    for (const id of CROSS_REGION_PROVIDER_IDS) {
      acknowledgeOnceCreated(
        stack,
        () => stack.node.tryFindChild(id),
        'crossRegionReferenceProvider',
      );
    }
  }

  for (const stack of [network, recovery, data, replica, security, app, edge, deployAccess]) {
    if (!stack) continue;
    Tags.of(stack).add('bulwark:stage', config.name, { excludeResourceTypes: UNTAGGED_TYPES });
    Tags.of(stack).add('bulwark:managed-by', 'cdk', { excludeResourceTypes: UNTAGGED_TYPES });
  }
  return { config, network, recovery, data, replica, security, app, edge, deployAccess };
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Only this stage (its key in `stages`); the others are still validated.
   * @default - every stage
   */
  readonly stage?: string;
  /**
   * Also run the AWS Control Tower proactive controls (cfn-guard) at synthesis.
   * @default false
   */
  readonly controlTower?: boolean;
}

/**
 * Validates the `stages` context of `app`, creates every stage's stacks and
 * registers the nag packs. Throws {@link ConfigError} on invalid config.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): StageStacks[] {
  const configs = loadStageConfigs(app.node.tryGetContext('stages'));
  const selected = options.stage ? configs.filter((c) => c.name === options.stage) : configs;
  if (options.stage && selected.length === 0) {
    throw new ConfigError([
      `stage = ${JSON.stringify(options.stage)}: Unknown stage '${options.stage}'; configured stages: ${configs.map((c) => c.name).join(', ')}`,
    ]);
  }
  Tags.of(app).add('bulwark:project', 'bulwark', { excludeResourceTypes: UNTAGGED_TYPES });
  const stages = selected.map((config) => addStage(app, config));
  addNagPacks(app, { controlTower: options.controlTower });
  useCachedValidation(app);
  return stages;
}
