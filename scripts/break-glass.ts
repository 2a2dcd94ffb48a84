/**
 * `npm run break-glass -- --stage <name> --reason "<ticket>" [--mfa-serial <arn>] [--mfa-code <code>] [--plan]`
 *
 * Opens an operator's recorded break-glass session to the stage's database (ACC-DATA):
 * assumes the break-glass role with MFA and the reason, launches the access instance,
 * opens a Session Manager session to it with the Bulwark session document, and
 * terminates the instance when the session ends (or on Ctrl-C). `--plan` only reads
 * the stage's outputs and prints what would happen and what is recorded where.
 */
import * as readline from 'node:readline/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { STSClient } from '@aws-sdk/client-sts';
import { requireCredentials } from './lib/aws-credentials';
import {
  type BreakGlassClients,
  REASON,
  type SessionRuntime,
  awsBreakGlassClients,
  missingTools,
  openSession,
  processRuntime,
  readTargets,
  recordNotice,
} from './lib/break-glass';
import { cannotRun, defineCommand, runMain, usageError } from './lib/cli';
import { CDK_JSON, stageArgument } from './lib/project-stages';

/** What the command runs with (tests pass mocked clients and a fake runtime). */
export interface BreakGlassOptions {
  /** @default - real clients in the stage's region with the default credential chain */
  readonly clients?: (region: string) => BreakGlassClients;
  /** @default - the AWS CLI in this terminal */
  readonly runtime?: SessionRuntime;
  /** Asks for the MFA code. @default - a prompt on the terminal, when there is one */
  readonly askCode?: () => Promise<string>;
  /** @default - the project's cdk.json */
  readonly cdkJson?: string;
}

/** `npm run break-glass`, with its clients and runtime as `options` say. */
export function breakGlassCommand(options: BreakGlassOptions = {}) {
  return defineCommand({
    name: 'break-glass',
    usage: '--stage <name> --reason "<ticket>" [--mfa-serial <arn>] [--mfa-code <code>] [--plan]',
    summary:
      "Opens a recorded operator session to a stage's database through its break-glass role (MFA required).",
    description: `Assumes the stage's break-glass role with your MFA device and your reason (a
session tag; on-call is paged with your name, address and reason), launches the
on-demand access instance in the isolated App subnets, waits for its Session Manager
agent, and opens the session with the stage's session document: every command and its
output go to CloudWatch Logs and S3, every SQL statement to pgaudit. In the session,
bulwark-psql connects through the proxy as bulwark_operator with an IAM token. The
instance is terminated when the session ends (and on Ctrl-C); it shuts itself down
within the hour in any case. Needs AWS credentials of the stage's account allowed to
call sts:AssumeRole and sts:TagSession on the role, and the AWS CLI v2 with the
Session Manager plugin on PATH. --plan reads the stack outputs only and changes nothing.`,
    options: {
      stage: {
        type: 'string',
        value: 'name',
        required: true,
        description: 'the stage of cdk.json',
      },
      reason: {
        type: 'string',
        value: 'ticket',
        required: true,
        description: 'why you break the glass: a ticket id or a short sentence (recorded, paged)',
      },
      'mfa-serial': {
        type: 'string',
        value: 'arn',
        env: 'BULWARK_MFA_SERIAL',
        description: 'ARN of your MFA device (arn:aws:iam::<account>:mfa/<name>)',
      },
      'mfa-code': {
        type: 'string',
        value: 'code',
        description: 'the current six-digit code (default: asked on the terminal)',
      },
      plan: {
        type: 'boolean',
        description: 'print what would happen and what is recorded where, change nothing',
      },
    },
    exitCodes: `0 the session ended normally (or --plan printed the plan), 1 the role, the
launch or the session failed, 2 it cannot run (bad arguments, no credentials, no AWS CLI
or Session Manager plugin, stage not deployed).`,
    run: async ({ values }, { stdout, stderr, env }) => {
      const chosen = stageArgument('break-glass', values.stage, options.cdkJson ?? CDK_JSON);
      if ('problem' in chosen) return cannotRun(chosen.problem);
      const { cfg } = chosen;
      const reason = values.reason.trim();
      if (!REASON.test(reason)) {
        return usageError(
          '--reason must be 3 to 256 letters, digits, spaces or _ . : / = + - @ # (a ticket id or a short sentence)',
        );
      }
      const serial = values['mfa-serial'];
      if (!values.plan && !serial) {
        return usageError('--mfa-serial (or BULWARK_MFA_SERIAL) is required: the role needs MFA');
      }
      if (serial && !/^arn:aws[\w-]*:iam::\d{12}:(mfa|u2f)\/[\w+=,.@/-]+$/.test(serial)) {
        return usageError(`--mfa-serial ${serial} is not an MFA device ARN`);
      }
      const code = values['mfa-code'];
      if (code !== undefined && !/^\d{6}$/.test(code)) {
        return usageError('--mfa-code must be the six digits your device shows');
      }

      const source = requireCredentials('break-glass', env);
      if (!values.plan) {
        const missing = missingTools(env);
        if (missing.length > 0) {
          return cannotRun(
            `break-glass needs ${missing.join(' and ')} on PATH: install the AWS CLI v2 and the Session Manager plugin for the AWS CLI (see the AWS Systems Manager user guide), then run it again.`,
          );
        }
      }
      const clients = options.clients
        ? options.clients(cfg.region)
        : awsBreakGlassClients(
            cfg.region,
            new CloudFormationClient({ region: cfg.region }),
            new STSClient({ region: cfg.region }),
          );
      stderr(
        `break-glass: stage ${cfg.name} (account ${cfg.account}, ${cfg.region}), credentials from ${source}`,
      );
      const targets = await readTargets(clients.cloudFormation, cfg);
      if (values.plan) {
        stdout(
          [
            `Plan (nothing changed): assume ${targets.roleArn} with MFA and reason "${reason}",`,
            `launch from ${targets.launchTemplateId} into one of ${targets.subnetIds.join(', ')},`,
            `open a session with document ${targets.documentName}, terminate the instance at the end.`,
            '',
            recordNotice(cfg, targets),
          ].join('\n'),
        );
        return 0;
      }
      const mfaCode = code ?? (await (options.askCode ?? terminalPrompt(env))());
      if (!/^\d{6}$/.test(mfaCode)) return usageError('the MFA code must be six digits');
      return openSession(clients, options.runtime ?? processRuntime, {
        cfg,
        targets,
        reason,
        mfaSerial: serial!,
        mfaCode,
        env,
        say: stderr,
      });
    },
  });
}

/** Asks for the code on the terminal; without one, says to pass --mfa-code. */
function terminalPrompt(env: NodeJS.ProcessEnv): () => Promise<string> {
  return async () => {
    if (!process.stdin.isTTY || env.CI) {
      throw cannotRun('No terminal to ask for the MFA code: pass --mfa-code <six digits>.');
    }
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      return (await rl.question('MFA code: ')).trim();
    } finally {
      rl.close();
    }
  };
}

export const command = breakGlassCommand();

runMain(command, module);
