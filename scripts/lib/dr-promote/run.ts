import * as readline from 'node:readline/promises';
import { type DBInstance } from '@aws-sdk/client-rds';
import { type StageConfig } from '../../../lib/config';
import { requireCredentials } from '../aws-credentials';
import { cannotRun, defineCommand, defineSpec, failed, usageError } from '../cli';
import { CDK_JSON, stageArgument } from '../project-stages';
import { requireStageAccount } from '../stage-account';
import { type DrPromoteClients, drPromoteClients } from './clients';
import { formatPlan, promotionBlockers, promotionSettings } from './plan';
import { type WaitOptions, promoteReplica } from './promote';
import { type FailoverState, readFailoverState } from './state';

/** Minutes `npm run dr:promote` waits for the promotion before it stops waiting. */
export const PROMOTION_TIMEOUT_MINUTES = 60;

/** Where `npm run dr:promote` reads its config, how it asks and waits, and its clients. */
export interface DrPromoteOptions extends WaitOptions {
  /**
   * AWS clients (tests pass mocked ones).
   * @default - real clients with the default credential chain
   */
  readonly clients?: DrPromoteClients;
  /** @default - the project's cdk.json */
  readonly cdkJson?: string;
  /** @default 60 (minutes) */
  readonly timeoutMinutes?: number;
  /**
   * Whether the operator can be asked to type the replica's identifier.
   * @default - stdin is a terminal and CI is not set
   */
  readonly interactive?: boolean;
  /** Asks `question` and resolves with the answer. @default - a prompt on the terminal */
  readonly ask?: (question: string) => Promise<string>;
}

/** The command line of `npm run dr:promote`. */
export const DR_PROMOTE_CLI = defineSpec({
  name: 'dr:promote',
  usage: '--stage <name> [--plan] [--confirm <replica id>]',
  summary:
    "Promotes a stage's cross-region read replica to a standalone primary in its DR region (regional failover).",
  description: `For stages with database.crossRegionReplica. Reads the replica in the stage's drRegion,
the primary in its region (which may be down: then it says so and goes on) and the
replica's ReplicaLag, and prints the plan: the replica, the primary's status, how many
seconds of writes the promotion would lose, and each step. Without --plan it then asks
you to confirm by typing the replica's identifier (or takes --confirm <replica id>),
calls PromoteReadReplica with the stage's backup retention, waits until the instance is
a standalone primary (up to ${PROMOTION_TIMEOUT_MINUTES} minutes), and sets Multi-AZ (as configured) and deletion
protection. A promotion cannot be undone. Then follow the README section "Regional
failover". Needs AWS credentials of the stage's account; --plan only reads.`,
  options: {
    stage: { type: 'string', value: 'name', required: true, description: 'the stage of cdk.json' },
    plan: {
      type: 'boolean',
      description: 'print the plan and whether it can proceed, change nothing',
    },
    confirm: {
      type: 'string',
      value: 'replica id',
      description:
        "the replica's identifier, confirming the promotion (default: asked on the terminal)",
    },
  },
  exitCodes: `0 the replica is promoted (with --plan: it could be), 1 it cannot be promoted
(missing, not a replica of this primary, not available) or the promotion failed or is
still in progress, 2 it cannot run (bad arguments, a stage without a cross-region
replica, no credentials, wrong account, not confirmed: nothing changed).`,
});

/** `npm run dr:promote`, with its clients, config, prompt and clock as `options` say. */
export function drPromoteCommand(options: DrPromoteOptions = {}) {
  return defineCommand({
    ...DR_PROMOTE_CLI,
    run: async ({ values }, { stdout, stderr, env }) => {
      const chosen = stageArgument('dr:promote', values.stage, options.cdkJson ?? CDK_JSON);
      if ('problem' in chosen) return cannotRun(chosen.problem);
      const { cfg } = chosen;
      if (!cfg.database.crossRegionReplica) {
        return cannotRun(
          `dr:promote: stage ${cfg.name} has no cross-region replica (database.crossRegionReplica is false in cdk.json): there is nothing to promote. ` +
            `Its regional recovery restores the backups replicated to ${cfg.drRegion} (npm run restore).`,
        );
      }
      if (values.plan && values.confirm !== undefined) {
        return usageError('--plan changes nothing: leave out --confirm');
      }

      const source = requireCredentials('dr:promote', env);
      const clients = options.clients ?? drPromoteClients();
      try {
        // STS of the DR region: the primary's region may be the one that is down.
        await requireStageAccount(clients.sts(cfg.drRegion), cfg, cannotRun);
        stderr(
          `dr:promote: stage ${cfg.name} (account ${cfg.account}; replica in ${cfg.drRegion}, primary in ${cfg.region}), credentials from ${source}`,
        );
        const now = options.now ?? Date.now;
        const state = await readFailoverState(clients, cfg, new Date(now()));
        const settings = promotionSettings(
          cfg,
          options.timeoutMinutes ?? PROMOTION_TIMEOUT_MINUTES,
        );
        stdout(formatPlan(cfg, state, settings));
        const blockers = promotionBlockers(state);
        if (blockers.length > 0) {
          return failed(
            `Promotion cannot proceed${values.plan ? '' : '; nothing changed'}:\n${blockers.map((b) => `  - ${b}`).join('\n')}`,
          );
        }
        if (values.plan) {
          stdout('\nPromotion could proceed. Nothing changed (--plan).');
          return 0;
        }

        await confirmPromotion(state.replicaId, values.confirm, env, options);
        const instance = await promoteReplica(
          clients.rds(cfg.drRegion),
          { replicaId: state.replicaId, drRegion: cfg.drRegion, settings },
          stderr,
          options,
        );
        stdout(`\n${nextSteps(cfg, state, instance)}`);
        return 0;
      } finally {
        if (!options.clients) clients.destroy();
      }
    },
  });
}

/**
 * Resolves when the operator confirmed the promotion of `replicaId` (with `--confirm`,
 * or by typing it at the prompt); throws a `CliError` (exit 2, nothing changed) otherwise.
 */
async function confirmPromotion(
  replicaId: string,
  confirm: string | undefined,
  env: NodeJS.ProcessEnv,
  options: DrPromoteOptions,
): Promise<void> {
  if (confirm !== undefined) {
    if (confirm === replicaId) return;
    throw cannotRun(
      `--confirm ${confirm} does not name the replica ${replicaId}: not promoted, nothing changed.`,
    );
  }
  const interactive = options.interactive ?? (Boolean(process.stdin.isTTY) && !env.CI);
  if (!interactive) {
    throw cannotRun(
      `The promotion needs your confirmation: run again with --confirm ${replicaId} (or in a terminal, to be asked). Nothing changed.`,
    );
  }
  const answer = await (options.ask ?? terminalQuestion)(
    `\nType the replica's identifier (${replicaId}) to promote it; anything else aborts: `,
  );
  if (answer.trim() !== replicaId) {
    throw cannotRun(
      `Aborted: ${JSON.stringify(answer.trim())} is not ${replicaId}. Nothing changed.`,
    );
  }
}

async function terminalQuestion(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** What the operator does after the promotion (README, "Regional failover"). */
function nextSteps(cfg: StageConfig, s: FailoverState, db: DBInstance): string {
  const endpoint = db.Endpoint?.Address
    ? `${db.Endpoint.Address}:${db.Endpoint.Port ?? 5432}`
    : 'its endpoint (aws rds describe-db-instances)';
  return [
    `Promoted: ${s.replicaId} is the standalone primary of stage ${cfg.name} in ${s.drRegion}, at ${endpoint}.`,
    `Multi-AZ ${cfg.database.multiAz}, deletion protection on, automated backups kept ${cfg.backupRetentionDays} days.`,
    '',
    `Next: follow the README section "Regional failover" to bring the application up against ${s.replicaId} in ${s.drRegion}.`,
    `The former primary ${s.primaryId} in ${s.primaryRegion} no longer replicates to it: keep it from taking writes when its region returns.`,
  ].join('\n');
}
