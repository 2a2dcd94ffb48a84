import type { StageConfig } from '../../../lib/config';
import { type StageStack, stageStacks } from '../../../lib/stage-layout';
import { requireCredentials } from '../aws-credentials';
import { CliError, cannotRun, defineCommand, defineSpec } from '../cli';
import { mapLimit } from '../map-limit';
import { CDK_JSON, stageInRegion } from '../project-stages';
import { requireStageAccount } from '../stage-account';
import { exitCode, formatTable, summary } from '../verify/report';
import { type CheckResult } from '../verify/types';
import { type DriftClients, driftClients } from './clients';
import {
  type DetectOptions,
  type Detection,
  type ResourceDrift,
  detectStackDrift,
  driftResult,
  formatDrifts,
} from './detect';

/** At most this many stacks' detections run at once. */
export const MAX_CONCURRENT_DETECTIONS = 3;

/** Where `npm run drift` reads its config, how it waits, and which clients it uses. */
export interface DriftOptions extends Omit<DetectOptions, 'stopped'> {
  /**
   * AWS clients (tests pass mocked ones).
   * @default - real clients with the default credential chain
   */
  readonly clients?: DriftClients;
  /** @default - the project's cdk.json */
  readonly cdkJson?: string;
}

/** The command line of `npm run drift`. */
export const DRIFT_CLI = defineSpec({
  name: 'drift',
  usage: '--stage <name> [--region <primary region>] [--json]',
  summary:
    'Detects CloudFormation drift on every stack of a deployed stage: resources changed or deleted outside a deployment.',
  description: `Runs drift detection on each stack in its own region, at most ${MAX_CONCURRENT_DETECTIONS} at once, with the
normal AWS credential chain, and lists each modified or deleted resource with its differing
properties; detection changes nothing in the stacks. Prints a PASS/FAIL table and the
drifted resources (or, with --json, an object with the results and the drifts).`,
  options: {
    stage: { type: 'string', value: 'name', required: true, description: 'the stage of cdk.json' },
    region: {
      type: 'string',
      value: 'primary region',
      description: "the stage's primary region (default: the stage's region)",
    },
    json: { type: 'boolean', description: 'print { results, drifts } as JSON' },
  },
  exitCodes: `0 every stack is in sync, 1 any drift or failed detection, 2 the stage cannot be
checked (bad arguments, config, no credentials, wrong account, stacks not deployed).`,
});

/** What {@link driftStage} found: one result per stack, and every drifted resource. */
export interface StageDrift {
  readonly results: CheckResult[];
  readonly drifts: ResourceDrift[];
}

/** `npm run drift`, with its clients, config and waiting as `options` say. */
export function driftCommand(options: DriftOptions = {}) {
  return defineCommand({
    ...DRIFT_CLI,
    run: async ({ values }, { stdout, stderr, env }) => {
      const chosen = stageInRegion(
        'drift',
        values.stage,
        values.region,
        options.cdkJson ?? CDK_JSON,
      );
      if (chosen instanceof CliError) return chosen;
      const { cfg, region } = chosen;

      const source = requireCredentials('drift', env);
      const clients = options.clients ?? driftClients();
      try {
        const regions = [...new Set(stageStacks(cfg, region).map((s) => s.region))];
        stderr(
          `Detecting drift of stage ${cfg.name} (account ${cfg.account}; ${regions.join(', ')}) with credentials from ${source}`,
        );
        const found = await driftStage(clients, cfg, region, options);
        if (values.json) {
          stdout(JSON.stringify(found, null, 2));
        } else {
          stdout(formatTable(found.results));
          if (found.drifts.length > 0) {
            stdout(`\nDrifted resources:\n${formatDrifts(found.drifts)}`);
          }
        }
        stderr(summary(found.results));
        return exitCode(found.results);
      } finally {
        if (!options.clients) clients.destroy();
      }
    },
  });
}

/**
 * Detects the drift of every stack of the stage (each in its region, at most
 * {@link MAX_CONCURRENT_DETECTIONS} at once), after checking the credentials are for the
 * stage's account. Throws a `CliError` (exit 2) on another account or when a stack is not
 * deployed; any other failure on a stack is a FAIL of that stack only.
 */
export async function driftStage(
  clients: DriftClients,
  cfg: StageConfig,
  primaryRegion: string,
  options: Omit<DetectOptions, 'stopped'> = {},
): Promise<StageDrift> {
  await requireStageAccount(clients.sts(primaryRegion), cfg, cannotRun);
  const stacks = stageStacks(cfg, primaryRegion);
  let missingSeen = false;
  const detections = await mapLimit(
    stacks,
    MAX_CONCURRENT_DETECTIONS,
    async (stack): Promise<Detection> => {
      if (missingSeen) return { kind: 'stopped' };
      const detection = await detectStackDrift(clients.cloudFormation(stack.region), stack, {
        ...options,
        stopped: () => missingSeen,
      });
      if (detection.kind === 'missing') missingSeen = true;
      return detection;
    },
  );

  const missing = stacks.filter((_, i) => detections[i].kind === 'missing');
  if (missing.length > 0) {
    throw cannotRun(
      `Stage ${cfg.name} is not deployed: ${missing.map(label).join(', ')} does not exist.\n` +
        `Deploy the stage first (npm run deploy -- --stage ${cfg.name}), then detect its drift.`,
    );
  }
  return {
    results: stacks.flatMap((stack, i) => driftResult(stack, detections[i]) ?? []),
    drifts: detections.flatMap((d) => (d.kind === 'finished' ? d.drifts : [])),
  };
}

const label = (s: StageStack) => `${s.name} (${s.region})`;
