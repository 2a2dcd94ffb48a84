import { spawnSync } from 'node:child_process';
import * as readline from 'node:readline/promises';
import { EXIT_CANNOT_RUN, credentialSource, noCredentialsMessage } from '../aws-credentials';
import { preflightClients, type PreflightClients } from '../preflight/clients';
import { CannotPreflight, preflightStage } from '../preflight/run';
import { AssemblyError, readStageAssembly } from '../preflight/assembly';
import { type Args, defineCommand, defineSpec, invoke } from '../cli';
import { CDK_JSON, stageArgument } from '../project-stages';
import { readStackState } from '../stack-state';
import { requireStageAccount } from '../stage-account';
import { exitCode, formatTable, summary } from '../verify/report';
import { stageStackPattern, stageStacks } from '../../../lib/stage-layout';
import { errorEvidence } from '../verify/types';
import { type StackRecovery, describeRecovery, planRecovery } from './recovery';

/** Where the deploy synthesizes the stage, and what it then deploys. */
export const DEPLOY_ASSEMBLY = 'cdk.out';

/** The command line of `npm run deploy`. */
export const DEPLOY_CLI = defineSpec({
  name: 'deploy',
  usage: '--stage <name> [--assembly <dir>] [--yes] [--skip-preflight] [-- <cdk deploy options>]',
  summary: 'Deploys every stack of one stage:',
  description: `  1. synthesizes the stage into ${DEPLOY_ASSEMBLY}/ (nag packs, CloudFormation validation),
     or, with --assembly, deploys that already synthesized assembly (the pipeline's);
  2. checks that the credentials are for the stage's account;
  3. finds stacks whose first creation failed (ROLLBACK_COMPLETE, ROLLBACK_FAILED,
     CREATE_FAILED), prints how to clean each up, and does it once confirmed
     (--yes, or an answer at the prompt): they are deleted so that they can be
     created again, after their termination protection (and the deletion protection
     of the never-used database they created) is turned off;
  4. runs npm run preflight against that assembly and stops on any FAIL (after the
     cleanup, so the names a failed stack held are free again);
  5. deploys the synthesized assembly with the CDK CLI (broadening security changes
     ask for approval; a --require-approval after -- replaces that).
Reads go through the role in BULWARK_READ_ROLE_ARN when it is set.`,
  options: {
    stage: { type: 'string', value: 'name', required: true, description: 'the stage of cdk.json' },
    assembly: {
      type: 'string',
      value: 'dir',
      description: 'deploy this synthesized cloud assembly instead of synthesizing',
    },
    yes: { type: 'boolean', description: 'clean up failed first creations without asking' },
    'skip-preflight': { type: 'boolean', description: 'deploy without the preflight checks' },
  },
  passthrough: 'cdk deploy',
  exitCodes: `0 deployed, 1 a step failed (synth, preflight, cleanup refused, cdk deploy),
2 cannot run (bad arguments, no credentials, another account).`,
});

/** What {@link run} needs from its surroundings (tests replace each). */
export interface DeployOptions {
  readonly clients?: PreflightClients;
  readonly cdkJson?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Runs a command (the CDK CLI); returns its exit code. */
  readonly exec?: (command: string, args: readonly string[]) => number;
  /** Asks a yes/no question; undefined when no one can answer (not a terminal). */
  readonly confirm?: (question: string) => Promise<boolean | undefined>;
  /** @default DEPLOY_ASSEMBLY */
  readonly assembly?: string;
}

const execInherit = (command: string, args: readonly string[]) =>
  spawnSync(command, [...args], { stdio: 'inherit' }).status ?? 1;

async function askTerminal(question: string): Promise<boolean | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** `npm run deploy`: returns the exit code. */
export function run(argv: readonly string[], options: DeployOptions = {}): Promise<number> {
  return invoke(deployCommand(options), argv, options);
}

/** `npm run deploy`, with its surroundings as `options` say. */
export function deployCommand(options: DeployOptions = {}) {
  return defineCommand({ ...DEPLOY_CLI, run: (args) => deploy(args, options) });
}

async function deploy(
  { values, rest: cdkArgs }: Args<(typeof DEPLOY_CLI)['options']>,
  options: DeployOptions,
): Promise<number> {
  const stdout = options.stdout ?? ((t: string) => console.log(t));
  const stderr = options.stderr ?? ((t: string) => console.error(t));
  const exec = options.exec ?? execInherit;
  const assembly = values.assembly ?? options.assembly ?? DEPLOY_ASSEMBLY;
  const chosen = stageArgument('deploy', values.stage, options.cdkJson ?? CDK_JSON);
  if ('problem' in chosen) {
    stderr(chosen.problem);
    return EXIT_CANNOT_RUN;
  }
  const { cfg } = chosen;
  const source = credentialSource(options.env ?? process.env);
  if (!source) {
    stderr(noCredentialsMessage('deploy'));
    return EXIT_CANNOT_RUN;
  }
  stderr(`Deploying stage ${cfg.name} (account ${cfg.account}) with credentials from ${source}`);

  if (values.assembly) {
    try {
      readStageAssembly(assembly, cfg);
    } catch (err) {
      if (!(err instanceof AssemblyError)) throw err;
      stderr(err.message);
      return EXIT_CANNOT_RUN;
    }
    stderr(`Deploying the synthesized assembly ${assembly} (no synthesis)`);
  } else if (
    exec('npx', ['cdk', 'synth', '--quiet', '-c', `stage=${cfg.name}`, '-o', assembly]) !== 0
  ) {
    stderr('deploy: synthesis failed (see above); nothing was deployed');
    return 1;
  }
  const clients = options.clients ?? preflightClients();
  try {
    // Nothing is read, let alone cleaned up, in an account that is not the stage's.
    await requireStageAccount(clients.sts(cfg.region), cfg, (m) => new CannotPreflight(m));
    // A stack left by a failed first creation is cleaned up before preflight: preflight
    // rightly fails the names that stack still holds, and the cleanup frees them.
    const recoveries = (
      await Promise.all(
        stageStacks(cfg, cfg.region).map(async (s) =>
          planRecovery(
            clients,
            s.name,
            s.region,
            await readStackState(clients.cloudFormation(s.region), s.name),
          ),
        ),
      )
    ).filter((r): r is StackRecovery => r !== undefined);
    if (
      recoveries.length > 0 &&
      !(await recover(
        recoveries,
        values.yes === true,
        options.confirm ?? askTerminal,
        clients,
        stderr,
      ))
    ) {
      return 1;
    }
    if (!values['skip-preflight']) {
      const results = await preflightStage(clients, cfg, assembly);
      stdout(formatTable(results));
      stderr(summary(results));
      if (exitCode(results) !== 0) {
        stderr('deploy: preflight found problems; fix each FAIL above (or pass --skip-preflight)');
        return 1;
      }
    }
  } catch (err) {
    if (err instanceof CannotPreflight || err instanceof AssemblyError) {
      stderr(err.message);
      return EXIT_CANNOT_RUN;
    }
    stderr(`deploy: ${errorEvidence(err)}`);
    return 1;
  } finally {
    if (!options.clients) clients.destroy();
  }
  return exec('npx', [
    'cdk',
    'deploy',
    '--app',
    assembly,
    stageStackPattern(cfg.title),
    ...(cdkArgs.some((a) => a === '--require-approval' || a.startsWith('--require-approval='))
      ? []
      : ['--require-approval', 'broadening']),
    ...cdkArgs,
  ]);
}

async function recover(
  recoveries: readonly StackRecovery[],
  yes: boolean,
  confirm: (question: string) => Promise<boolean | undefined>,
  clients: PreflightClients,
  stderr: (t: string) => void,
): Promise<boolean> {
  for (const r of recoveries) stderr(describeRecovery(r));
  if (recoveries.some((r) => r.wait)) return false;
  const answer = yes || (await confirm('Clean up these stacks as listed, then deploy?'));
  if (answer !== true) {
    stderr(
      answer === undefined
        ? 'deploy: these stacks block the deploy; run again with --yes to clean them up as listed, or run the commands yourself'
        : 'deploy: not cleaned up; nothing was deployed',
    );
    return false;
  }
  for (const r of recoveries) {
    for (const step of r.steps) {
      stderr(`${r.stack}: ${step.description}`);
      await step.apply(clients);
    }
  }
  return true;
}
