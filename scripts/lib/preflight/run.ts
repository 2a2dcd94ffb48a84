import type { StageConfig } from '../../../lib/config';
import { EXIT_CANNOT_RUN, credentialSource, noCredentialsMessage } from '../aws-credentials';
import { defineCommand, defineSpec, invoke } from '../cli';
import { CDK_JSON, stageArgument } from '../project-stages';
import { requireStageAccount } from '../stage-account';
import { readStackState } from '../stack-state';
import { exitCode, formatTable, summary } from '../verify/report';
import type { StagePart } from '../../../lib/stage-layout';
import { type CheckResult, errorEvidence } from '../verify/types';
import { AssemblyError, readStageAssembly } from './assembly';
import { checkBootstrap } from './checks/bootstrap';
import { checkControlTower } from './checks/control-tower';
import { checkDatabase } from './checks/database';
import { checkHostedZone } from './checks/dns';
import { checkLambda } from './checks/lambda';
import { checkNames } from './checks/names';
import { checkOidcProvider } from './checks/oidc-provider';
import { checkSaml } from './checks/saml';
import { checkShield, checkSingletons } from './checks/singletons';
import { type PreflightClients, preflightClients } from './clients';
import type { PreflightContext } from './context';

/** Preflight cannot run (no credentials, wrong account, no assembly): exit code 2. */
export class CannotPreflight extends Error {}

/** Where {@link run} reads its config and writes its report. */
export interface PreflightOptions {
  /** @default - real clients with the default credential chain */
  readonly clients?: PreflightClients;
  /** @default - the project's cdk.json */
  readonly cdkJson?: string;
  /** @default console.log */
  readonly stdout?: (text: string) => void;
  /** @default console.error */
  readonly stderr?: (text: string) => void;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The command line of `npm run preflight`. */
export const PREFLIGHT_CLI = defineSpec({
  name: 'preflight',
  usage: '--stage <name> [--assembly <dir>] [--json]',
  summary: "Read-only checks of the stage's AWS account before a deploy.",
  description: `They run against the synthesized cloud assembly (default cdk.out; npm run synth --
-c stage=<name> writes it). Each check prints PASS, FAIL (with the command or console
step that fixes it) or SKIP.`,
  options: {
    stage: {
      type: 'string',
      value: 'name',
      required: true,
      description: 'the stage of cdk.json to check',
    },
    assembly: {
      type: 'string',
      value: 'dir',
      default: 'cdk.out',
      description: 'the cloud assembly to check against',
    },
    json: { type: 'boolean', description: 'print the results as a JSON array' },
  },
  exitCodes: `0 every check PASS or SKIP, 1 any FAIL, 2 cannot run (bad arguments, no
credentials, credentials of another account, no assembly).`,
});

/**
 * Every check of the stage, in report order. Throws {@link CannotPreflight} when the
 * credentials do not work or are for another account.
 */
export async function preflightStage(
  clients: PreflightClients,
  cfg: StageConfig,
  assemblyDir: string,
): Promise<CheckResult[]> {
  const stacks = readStageAssembly(assemblyDir, cfg);
  await requireStageAccount(clients.sts(cfg.region), cfg, (m) => new CannotPreflight(m));
  const states = Object.fromEntries(
    await Promise.all(
      stacks.map(async (s) => {
        try {
          return [s.part, await readStackState(clients.cloudFormation(s.region), s.name)] as const;
        } catch (err) {
          throw new CannotPreflight(
            `Cannot read stack ${s.name} in ${s.region}: ${errorEvidence(err)}`,
          );
        }
      }),
    ),
  ) as Record<StagePart, Awaited<ReturnType<typeof readStackState>>>;
  const ctx: PreflightContext = { cfg, clients, stacks, states, assemblyDir };
  const groups = await Promise.all([
    checkBootstrap(ctx),
    checkLambda(ctx),
    checkShield(ctx).then((r) => [r]),
    checkSingletons(ctx),
    checkHostedZone(ctx).then((r) => [r]),
    checkDatabase(ctx),
    checkNames(ctx),
    checkSaml(ctx).then((r) => [r]),
    checkControlTower(ctx),
    checkOidcProvider(ctx).then((r) => [r]),
  ]);
  return groups.flat();
}

/**
 * `npm run preflight -- --stage <name> [--assembly <dir>] [--json]`. Returns the exit
 * code: 0 all PASS or SKIP, 1 any FAIL, 2 cannot run.
 */
export function run(argv: readonly string[], options: PreflightOptions = {}): Promise<number> {
  return invoke(preflightCommand(options), argv, options);
}

/** `npm run preflight`, reading its config and writing its report as `options` say. */
export function preflightCommand(options: PreflightOptions = {}) {
  return defineCommand({
    ...PREFLIGHT_CLI,
    run: async ({ values: args }, { stdout, stderr, env }) => {
      const chosen = stageArgument('preflight', args.stage, options.cdkJson ?? CDK_JSON);
      if ('problem' in chosen) {
        stderr(chosen.problem);
        return EXIT_CANNOT_RUN;
      }
      const { cfg } = chosen;
      const source = credentialSource(env);
      if (!source) {
        stderr(noCredentialsMessage('preflight'));
        return EXIT_CANNOT_RUN;
      }
      const clients = options.clients ?? preflightClients();
      try {
        stderr(
          `Preflight of stage ${cfg.name} (account ${cfg.account}; ${cfg.region}, ${cfg.drRegion}, us-east-1) with credentials from ${source}`,
        );
        const results = await preflightStage(clients, cfg, args.assembly);
        stdout(args.json ? JSON.stringify(results, null, 2) : formatTable(results));
        stderr(summary(results));
        return exitCode(results);
      } catch (err) {
        stderr(
          err instanceof CannotPreflight || err instanceof AssemblyError
            ? err.message
            : `preflight could not run: ${errorEvidence(err)}`,
        );
        return EXIT_CANNOT_RUN;
      } finally {
        if (!options.clients) clients.destroy();
      }
    },
  });
}
