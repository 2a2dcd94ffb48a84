import { App, Tags } from 'aws-cdk-lib';
import { ConfigError, loadStageConfigs, type StageConfig } from './config';
import { addNagPacks } from './compliance/nag-packs';
import { AppStack } from './stacks/app-stack';
import { DataStack } from './stacks/data-stack';
import { NetworkStack } from './stacks/network-stack';
import { RecoveryStack } from './stacks/recovery-stack';
import { SecurityStack } from './stacks/security-stack';

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
  /** Audit trail, threat detection, alerting. */
  readonly security: SecurityStack;
  /** Content API, invalidation queue, schema migrations. */
  readonly app: AppStack;
}

/** Creates every stack of one stage in the app. Stacks only wire constructs. */
export function addStage(scope: App, config: StageConfig): StageStacks {
  const prefix = `Bulwark-${config.title}`;
  const primary = { account: config.account, region: config.region };
  const description = (part: string) => `Bulwark ${config.name}: ${part}`;

  const network = new NetworkStack(scope, `${prefix}-Network`, {
    env: primary,
    config,
    description: description('isolated VPC, endpoints, flow logs, security groups'),
  });
  const recovery = new RecoveryStack(scope, `${prefix}-Recovery`, {
    env: { account: config.account, region: config.drRegion },
    config,
    description: description('object-locked backup replicas in the recovery region'),
  });
  const data = new DataStack(scope, `${prefix}-Data`, {
    env: primary,
    config,
    network: network.network,
    securityGroups: network.securityGroups,
    description: description('keys, database, proxy, backup vault, assets, access logs'),
  });
  data.addStackDependency(recovery, 'backups replicate into the recovery bucket by name');
  const security = new SecurityStack(scope, `${prefix}-Security`, {
    env: primary,
    config,
    accessLogBucket: data.accessLogBucket,
    dataEventBuckets: [data.backupBucket, data.assetsBucket],
    description: description('CloudTrail, GuardDuty, Security Hub, alerts, CIS alarms'),
  });

  const app = new AppStack(scope, `${prefix}-App`, {
    env: primary,
    config,
    network,
    data,
    security,
    description: description('content API, CDN invalidation queue, schema migrations'),
  });

  for (const stack of [network, recovery, data, security, app]) {
    Tags.of(stack).add('bulwark:stage', config.name);
    Tags.of(stack).add('bulwark:managed-by', 'cdk');
  }
  return { config, network, recovery, data, security, app };
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
  Tags.of(app).add('bulwark:project', 'bulwark');
  const stages = selected.map((config) => addStage(app, config));
  addNagPacks(app, { controlTower: options.controlTower });
  return stages;
}
