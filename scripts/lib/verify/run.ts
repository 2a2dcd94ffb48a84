import { physicalNames, type StageConfig } from '../../../lib/config';
import { EXIT_CANNOT_RUN, requireCredentials } from '../aws-credentials';
import { CliError, defineCommand, defineSpec, invoke } from '../cli';
import { CDK_JSON, stageInRegion } from '../project-stages';
import { requireStageAccount } from '../stage-account';
import { checkAlarms } from './alarms';
import { checkBackupVaults } from './backup-bucket';
import { checkBackupRun } from './backup-run';
import { checkBreakGlass } from './break-glass';
import { checkConfigRecorder } from './config-recorder';
import { type VerifyClients, awsClients } from './clients';
import { checkDatabase } from './database';
import { checkDatabaseParameters } from './database-parameters';
import { checkDrReplica } from './dr-replica';
import { checkGuardDuty } from './guardduty';
import { exitCode, formatTable, summary } from './report';
import { checkShield } from './shield';
import { OUTPUT_KEYS, type StagePart } from '../../../lib/stage-layout';
import { type DeployedStack, type DeployedStage, readDeployedStage } from './stack-outputs';
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

/** The command line of `npm run verify`. */
export const VERIFY_CLI = defineSpec({
  name: 'verify',
  usage: '--stage <name> [--region <primary region>] [--json]',
  summary: "Checks a deployed stage's live account against what its templates promise, read-only.",
  description: `GuardDuty, both web ACLs, the audit trail, the backup vaults, the last nightly export,
the database and its cross-region replica (status, key, source and lag), Shield Advanced,
the people's user pool, the alarms and the break-glass session document, with the normal
AWS credential chain. Prints a PASS/FAIL/SKIP table (or a JSON array with --json).`,
  options: {
    stage: { type: 'string', value: 'name', required: true, description: 'the stage of cdk.json' },
    region: {
      type: 'string',
      value: 'primary region',
      description: "the stage's primary region (default: the stage's region)",
    },
    json: { type: 'boolean', description: 'print the results as a JSON array' },
  },
  exitCodes: `0 every check passes or is skipped, 1 any failure, 2 the stage cannot be
verified (bad arguments, config, no credentials, wrong account, stacks not deployed).`,
});

/**
 * `npm run verify -- --stage <name> [--region <r>] [--json]`: checks the live account
 * against the stage's promises, read-only. Returns the exit code: 0 when every check
 * passes or is skipped, 1 on any failure, 2 when the stage cannot be verified (usage,
 * config, no credentials, wrong account, stacks not deployed).
 */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  return invoke(verifyCommand(options), argv, options);
}

/** `npm run verify`, with its clients, config and output as `options` say. */
export function verifyCommand(options: RunOptions = {}) {
  return defineCommand({
    ...VERIFY_CLI,
    run: async ({ values }, { stdout, stderr, env }) => {
      const chosen = stageInRegion(
        'verify',
        values.stage,
        values.region,
        options.cdkJson ?? CDK_JSON,
      );
      if (chosen instanceof CliError) return chosen;
      const { cfg, region } = chosen;

      const source = requireCredentials('verify', env);
      const clients = options.clients ?? awsClients();
      try {
        stderr(
          `Verifying stage ${cfg.name} (account ${cfg.account}; ${region}, ${cfg.drRegion}, us-east-1) with credentials from ${source}`,
        );
        const results = await verifyStage(clients, cfg, region);
        stdout(values.json ? JSON.stringify(results, null, 2) : formatTable(results));
        stderr(summary(results));
        return exitCode(results);
      } catch (err) {
        if (err instanceof CliError) return err;
        stderr(
          err instanceof CannotVerify ? err.message : `verify could not run: ${errorEvidence(err)}`,
        );
        return EXIT_CANNOT_RUN;
      } finally {
        if (!options.clients) clients.destroy();
      }
    },
  });
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
  await requireStageAccount(clients.sts(region), cfg, (m) => new CannotVerify(m));
  const stage = await readDeployedStage(clients.cloudFormation, cfg, region);
  const out = <P extends StagePart>(part: P, key: keyof (typeof OUTPUT_KEYS)[P]): string =>
    stage[part]?.outputs[(OUTPUT_KEYS[part] as Record<typeof key, string>)[key]] ?? '';
  const edgeRegion = stage.Edge.region;

  const groups = await Promise.all([
    checkGuardDuty(clients.guardDuty(region), out('Security', 'detectorId') || undefined),
    checkLoadBalancerAcl(
      clients.wafv2(region),
      out('App', 'loadBalancerArn'),
      out('App', 'webAclArn'),
    ),
    checkDistributionAcl(
      clients.cloudFront(),
      out('Edge', 'distributionId'),
      out('Edge', 'webAclArn'),
    ),
    checkWebAclRules(clients.wafv2(region), {
      layer: 'origin',
      webAclArn: out('App', 'webAclArn'),
      blockedIpSetArns: [out('App', 'blockedV4Arn'), out('App', 'blockedV6Arn')],
      managedRules: cfg.edge.waf.managedRules,
    }),
    checkWebAclRules(clients.wafv2(edgeRegion), {
      layer: 'edge',
      webAclArn: out('Edge', 'webAclArn'),
      blockedIpSetArns: [out('Edge', 'blockedV4Arn'), out('Edge', 'blockedV6Arn')],
      managedRules: cfg.edge.waf.managedRules,
    }),
    checkTrail(clients.cloudTrail(region), out('Security', 'trailArn')),
    checkConfigRecorder(clients.config(region), out('Security', 'configRecorderName') || undefined),
    checkBackupVaults(clients.s3(region), clients.s3(cfg.drRegion), {
      backupBucket: out('Data', 'backupBucketName'),
      replicaBucket: out('Recovery', 'replicaBucketName'),
      drRegion: cfg.drRegion,
      retentionDays: cfg.backupRetentionDays,
    }),
    checkBackupRun(clients.cloudWatch(region), cfg.backup.runner),
    checkDatabase(clients.rds(region), {
      instanceId: physicalNames(cfg).databaseInstance,
      backupRetentionDays: cfg.backupRetentionDays,
      multiAz: cfg.database.multiAz,
      readReplicas: cfg.database.readReplicas,
    }),
    checkDatabaseParameters(clients.rds(region), {
      instanceId: physicalNames(cfg).databaseInstance,
      region,
    }),
    checkDrReplica(clients.rds(cfg.drRegion), clients.cloudWatch(cfg.drRegion), {
      enabled: cfg.database.crossRegionReplica,
      stageName: cfg.name,
      replicaId: physicalNames(cfg).drReplicaInstance,
      drRegion: cfg.drRegion,
      primary: { id: physicalNames(cfg).databaseInstance, region, account: cfg.account },
    }),
    checkShield(clients.shield(), cfg.shield.advanced, cfg.name, [
      { label: 'load balancer', arn: out('App', 'loadBalancerArn') },
      { label: 'distribution', arn: out('Edge', 'distributionArn') },
    ]),
    checkUserPool(clients.cognito(region), {
      userPoolId: out('Security', 'userPoolId'),
      clientId: out('Security', 'cmsClientId'),
      accessTokenMinutes: cfg.people.accessTokenMinutes,
      samlProvider: cfg.people.saml?.name,
    }),
    checkAlarms(alarmStacks(clients, stage)),
    checkBreakGlass(clients.ssm(region), clients.cloudWatch(region), {
      documentName: out('Security', 'breakGlassDocumentName'),
      logGroupName: out('Security', 'breakGlassLogGroupName'),
      bucketName: out('Security', 'breakGlassBucketName'),
      alarmName: out('Security', 'breakGlassAlarmName'),
      topicArn: out('Security', 'alertTopicArn'),
    }),
  ]);
  return groups.flat();
}

/** Stacks that hold the stage's alarms, or may: each with its region's alert topic. */
function alarmStacks(clients: VerifyClients, stage: DeployedStage) {
  const withAlarms: ReadonlySet<StagePart> = new Set(['Security', 'App', 'Edge', 'Replica']);
  // Alarms page through a topic of their own region: Edge's and Replica's have their own.
  const topicOf = (s: DeployedStack) =>
    s.part === 'Edge'
      ? stage.Edge.outputs[OUTPUT_KEYS.Edge.alertTopicArn]
      : s.part === 'Replica'
        ? s.outputs[OUTPUT_KEYS.Replica.alertTopicArn]
        : stage.Security.outputs[OUTPUT_KEYS.Security.alertTopicArn];
  return Object.values(stage).map((s: DeployedStack) => ({
    stackName: s.name,
    cloudFormation: clients.cloudFormation(s.region),
    cloudWatch: clients.cloudWatch(s.region),
    topicArn: topicOf(s),
    expectsAlarms: withAlarms.has(s.part),
  }));
}
