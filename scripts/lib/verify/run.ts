import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { ConfigError, physicalNames, type StageConfig } from '../../../lib/config';
import { ALLOWED_REGIONS } from '../../../lib/config/regions';
import { option } from '../args';
import { EXIT_CANNOT_RUN, requireCredentials } from '../aws-credentials';
import { CDK_JSON, projectStages } from '../project-stages';
import { checkAlarms } from './alarms';
import { checkBackupVaults } from './backup-bucket';
import { checkConfigRecorder } from './config-recorder';
import { type VerifyClients, awsClients } from './clients';
import { checkDatabase } from './database';
import { checkGuardDuty } from './guardduty';
import { exitCode, formatTable, summary } from './report';
import { checkShield } from './shield';
import { type DeployedStage, type StackPart, readDeployedStage } from './stack-outputs';
import { checkTrail } from './trail';
import { CannotVerify, type CheckResult, errorEvidence } from './types';
import { checkUserPool } from './user-pool';
import { checkDistributionAcl, checkLoadBalancerAcl, checkWebAclRules } from './waf';

/** Where {@link run} reads its config and writes its report. */
export interface RunOptions {
  /**
   * AWS clients (tests pass mocked ones).
   * @default - real clients with the default credential chain
   */
  readonly clients?: VerifyClients;
  /** @default - the project's cdk.json */
  readonly cdkJson?: string;
  /** @default console.log */
  readonly stdout?: (text: string) => void;
  /** @default console.error */
  readonly stderr?: (text: string) => void;
}

/**
 * `npm run verify -- --stage <name> [--region <r>] [--json]`: checks the live account
 * against the stage's promises, read-only. Returns the exit code: 0 when every check
 * passes or is skipped, 1 on any failure, 2 when the stage cannot be verified (usage,
 * config, no credentials, wrong account, stacks not deployed).
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? ((text: string) => console.log(text));
  const stderr = options.stderr ?? ((text: string) => console.error(text));

  let configs: StageConfig[];
  try {
    configs = projectStages(options.cdkJson ?? CDK_JSON);
  } catch (err) {
    stderr(
      err instanceof ConfigError ? err.message : `Cannot read cdk.json: ${errorEvidence(err)}`,
    );
    return EXIT_CANNOT_RUN;
  }
  const usage = `usage: npm run verify -- --stage <${configs.map((c) => c.name).join('|')}> [--region <primary region>] [--json]`;
  const cfg = configs.find((c) => c.name === option('--stage', argv));
  const region = option('--region', argv) ?? cfg?.region;
  if (!cfg || !region) {
    stderr(usage);
    return EXIT_CANNOT_RUN;
  }
  if (!(ALLOWED_REGIONS as readonly string[]).includes(region)) {
    stderr(`--region ${region} is not a region Bulwark deploys to (PHY-DC).\n${usage}`);
    return EXIT_CANNOT_RUN;
  }

  const source = requireCredentials('verify');
  const clients = options.clients ?? awsClients();
  try {
    stderr(
      `Verifying stage ${cfg.name} (account ${cfg.account}; ${region}, ${cfg.drRegion}, us-east-1) with credentials from ${source}`,
    );
    const results = await verifyStage(clients, cfg, region);
    stdout(argv.includes('--json') ? JSON.stringify(results, null, 2) : formatTable(results));
    stderr(summary(results));
    return exitCode(results);
  } catch (err) {
    stderr(
      err instanceof CannotVerify ? err.message : `verify could not run: ${errorEvidence(err)}`,
    );
    return EXIT_CANNOT_RUN;
  } finally {
    if (!options.clients) clients.destroy();
  }
}

/**
 * Every check of the stage, in report order. Throws {@link CannotVerify} when the
 * credentials are for another account or a stack is not deployed.
 */
export async function verifyStage(
  clients: VerifyClients,
  cfg: StageConfig,
  region: string,
): Promise<CheckResult[]> {
  await requireAccount(clients.sts(region), cfg);
  const stage = await readDeployedStage(clients.cloudFormation, cfg, region);
  const out = (part: StackPart, key: string): string => stage[part].outputs[key];
  const edgeRegion = stage.Edge.region;

  const groups = await Promise.all([
    checkGuardDuty(clients.guardDuty(region), out('Security', 'DetectorId') || undefined),
    checkLoadBalancerAcl(
      clients.wafv2(region),
      out('App', 'LoadBalancerArn'),
      out('App', 'RegionalWebAclArn'),
    ),
    checkDistributionAcl(
      clients.cloudFront(),
      out('Edge', 'DistributionId'),
      out('Edge', 'EdgeWebAclArn'),
    ),
    checkWebAclRules(clients.wafv2(region), {
      layer: 'origin',
      webAclArn: out('App', 'RegionalWebAclArn'),
      blockedIpSetArns: [out('App', 'RegionalBlockedV4Arn'), out('App', 'RegionalBlockedV6Arn')],
      managedRules: cfg.edge.waf.managedRules,
    }),
    checkWebAclRules(clients.wafv2(edgeRegion), {
      layer: 'edge',
      webAclArn: out('Edge', 'EdgeWebAclArn'),
      blockedIpSetArns: [out('Edge', 'EdgeBlockedV4Arn'), out('Edge', 'EdgeBlockedV6Arn')],
      managedRules: cfg.edge.waf.managedRules,
    }),
    checkTrail(clients.cloudTrail(region), out('Security', 'TrailArn')),
    checkConfigRecorder(clients.config(region), out('Security', 'ConfigRecorderName') || undefined),
    checkBackupVaults(clients.s3(region), clients.s3(cfg.drRegion), {
      backupBucket: out('Data', 'BackupBucketName'),
      replicaBucket: out('Recovery', 'ReplicaBucketName'),
      drRegion: cfg.drRegion,
      retentionDays: cfg.backupRetentionDays,
    }),
    checkDatabase(clients.rds(region), {
      instanceId: physicalNames(cfg).databaseInstance,
      backupRetentionDays: cfg.backupRetentionDays,
      multiAz: cfg.database.multiAz,
      readReplicas: cfg.database.readReplicas,
    }),
    checkShield(clients.shield(), cfg.shield.advanced, cfg.name, [
      { label: 'load balancer', arn: out('App', 'LoadBalancerArn') },
      { label: 'distribution', arn: out('Edge', 'DistributionArn') },
    ]),
    checkUserPool(clients.cognito(region), {
      userPoolId: out('Security', 'UserPoolId'),
      clientId: out('Security', 'CmsClientId'),
      accessTokenMinutes: cfg.people.accessTokenMinutes,
      samlProvider: cfg.people.saml?.name,
    }),
    checkAlarms(alarmStacks(clients, stage)),
  ]);
  return groups.flat();
}

/** Stacks that hold the stage's alarms, or may: each with its region's alert topic. */
function alarmStacks(clients: VerifyClients, stage: DeployedStage) {
  const withAlarms: ReadonlySet<StackPart> = new Set(['Security', 'App', 'Edge']);
  return Object.values(stage).map((s) => ({
    stackName: s.name,
    cloudFormation: clients.cloudFormation(s.region),
    cloudWatch: clients.cloudWatch(s.region),
    topicArn:
      s.part === 'Edge' ? stage.Edge.outputs.AlertTopicArn : stage.Security.outputs.AlertTopicArn,
    expectsAlarms: withAlarms.has(s.part),
  }));
}

/** Stops with {@link CannotVerify} unless the credentials work and are for the stage's account. */
async function requireAccount(sts: STSClient, cfg: StageConfig): Promise<void> {
  let account: string | undefined;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (err) {
    throw new CannotVerify(`The configured AWS credentials do not work: ${errorEvidence(err)}`);
  }
  if (account !== cfg.account) {
    throw new CannotVerify(
      `The credentials are for account ${account}, but stage ${cfg.name} is deployed in account ${cfg.account}. ` +
        `Use credentials for ${cfg.account}.`,
    );
  }
}
