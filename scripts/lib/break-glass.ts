/**
 * The steps of `npm run break-glass`: read the stage's break-glass outputs, assume the
 * break-glass role with MFA and the reason, launch the access instance from its
 * template, wait for its Session Manager agent, open the recorded session with the
 * AWS CLI (temporary credentials only in the child's environment) and terminate the
 * instance when the session ends. STS, CloudFormation and SSM are called with the
 * SDK; EC2 through the AWS CLI, which the session needs anyway (the project carries
 * no EC2 SDK client). Clients, the child processes and the clock are passed in, so
 * tests run it with mocked AWS clients and a fake `aws` executable.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  type Credentials,
  GetCallerIdentityCommand,
  type STSClient,
} from '@aws-sdk/client-sts';
import type { StageConfig } from '../../lib/config';
import { physicalNames } from '../../lib/config';
import {
  REASON_TAG,
  SESSION_LIMITS,
  sessionLogPrefix,
} from '../../lib/constructs/break-glass-session-document';
import { OPERATOR_DB_USER } from '../../lib/constructs/database';
import { OUTPUT_KEYS, stackName } from '../../lib/stage-layout';
import { cannotRun, failed } from './cli';
import { type StackState, readStackState } from './stack-state';

/** The programs the session needs on the operator's machine. */
export const REQUIRED_TOOLS = ['aws', 'session-manager-plugin'] as const;

/**
 * A reason is a ticket or a short sentence that fits a session tag value (letters,
 * digits, spaces and `_ . : / = + - @ #`, 3 to 256 characters).
 */
export const REASON = /^[\p{L}\p{N}][\p{L}\p{N} _.:/=+\-@#]{2,255}$/u;

/** The break-glass outputs of the stage's Security stack. */
export interface BreakGlassTargets {
  readonly roleArn: string;
  readonly launchTemplateId: string;
  readonly subnetIds: readonly string[];
  readonly documentName: string;
  readonly logGroupName: string;
  readonly bucketName: string;
  readonly alarmName: string;
}

/** Reads the break-glass outputs of `Bulwark-<Title>-Security`; cannot run when it lacks them. */
export async function readTargets(
  cloudFormation: CloudFormationClient,
  cfg: StageConfig,
): Promise<BreakGlassTargets> {
  const name = stackName(cfg.title, 'Security');
  let state: StackState;
  try {
    state = await readStackState(cloudFormation, name);
  } catch (err) {
    throw cannotRun(`Cannot read stack ${name} in ${cfg.region}: ${describe(err)}`);
  }
  if (state.kind === 'absent') {
    throw cannotRun(
      `Stack ${name} is not deployed in ${cfg.region}: deploy the stage first (npm run deploy -- --stage ${cfg.name}).`,
    );
  }
  const outputs = state.outputs;
  const k = OUTPUT_KEYS.Security;
  const keys = [
    k.breakGlassRoleArn,
    k.breakGlassLaunchTemplateId,
    k.breakGlassSubnetIds,
    k.breakGlassDocumentName,
    k.breakGlassLogGroupName,
    k.breakGlassBucketName,
    k.breakGlassAlarmName,
  ];
  const missing = keys.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw cannotRun(
      `Stack ${name} has no break-glass outputs (${missing.join(', ')}): deploy the stage with this version first (npm run deploy -- --stage ${cfg.name}).`,
    );
  }
  return {
    roleArn: outputs[k.breakGlassRoleArn],
    launchTemplateId: outputs[k.breakGlassLaunchTemplateId],
    subnetIds: outputs[k.breakGlassSubnetIds].split(','),
    documentName: outputs[k.breakGlassDocumentName],
    logGroupName: outputs[k.breakGlassLogGroupName],
    bucketName: outputs[k.breakGlassBucketName],
    alarmName: outputs[k.breakGlassAlarmName],
  };
}

/** What the session leaves behind, and where: printed before the session opens. */
export function recordNotice(cfg: StageConfig, t: BreakGlassTargets, instanceId?: string): string {
  const names = physicalNames(cfg);
  return [
    `Recorded for this break-glass session (stage ${cfg.name}, account ${cfg.account}, ${cfg.region}):`,
    `  - CloudTrail: your AssumeRole of ${names.breakGlassRole} with your reason, and every call made with it (RunInstances, StartSession, TerminateInstances)`,
    `  - on-call is paged now: the alert names you, your address and your reason (alarm ${t.alarmName})`,
    `  - every command and its output: log group ${t.logGroupName}, streamed as you type`,
    `  - the session transcript when it ends: s3://${t.bucketName}/${sessionLogPrefix(cfg.name)}/`,
    `  - every SQL statement as ${OPERATOR_DB_USER}: pgaudit in the database log group /aws/rds/instance/${names.databaseInstance}/postgresql`,
    `  - the session ends after ${SESSION_LIMITS.idleSessionMinutes} idle minutes or ${SESSION_LIMITS.maxSessionMinutes} minutes at most${instanceId ? `; instance ${instanceId} is terminated when it ends` : ''}`,
  ].join('\n');
}

/** The tools of {@link REQUIRED_TOOLS} not found on `PATH`. */
export function missingTools(env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return REQUIRED_TOOLS.filter(
    (tool) =>
      !dirs.some((dir) =>
        exts.some((ext) => {
          try {
            fs.accessSync(path.join(dir, tool + ext), fs.constants.X_OK);
            return true;
          } catch {
            return false;
          }
        }),
      ),
  );
}

/** A session name CloudTrail shows: the caller's name, cut to the allowed characters. */
export function sessionName(callerArn: string | undefined): string {
  const who = (callerArn ?? '').split('/').at(-1) ?? '';
  const safe = who.replace(/[^\w+=,.@-]/g, '-').slice(0, 50);
  return `break-glass-${safe || 'operator'}`;
}

/** The AWS clients a session uses: base credentials first, then the role's. */
export interface BreakGlassClients {
  readonly cloudFormation: CloudFormationClient;
  readonly sts: STSClient;
  /** SSM with the break-glass role's temporary credentials. */
  ssm(credentials: Credentials): SSMClient;
}

/** What one AWS CLI call printed. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What runs the AWS CLI and waits (tests replace the clock). */
export interface SessionRuntime {
  /** Runs `aws <args>` with its output captured. */
  aws(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Runs `aws ssm start-session …` and resolves with its exit code. */
  startSession(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
  sleep(ms: number): Promise<void>;
  /** Registers what to do on Ctrl-C while the session runs; returns the unregister. */
  onInterrupt(handler: () => void): () => void;
}

/** Runs the AWS CLI in this terminal; Ctrl-C goes to the session, not to this process. */
export const processRuntime: SessionRuntime = {
  aws: (args, env) =>
    new Promise((resolve) => {
      execFile('aws', [...args], { env, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (err && code === 1 ? err.message : '') });
      });
    }),
  startSession: (args, env) =>
    new Promise((resolve, reject) => {
      const child = spawn('aws', [...args], { stdio: 'inherit', env });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
    }),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/** Role credentials as the AWS CLI reads them, and nothing of the base profile. */
export function childEnvironment(
  env: NodeJS.ProcessEnv,
  credentials: Credentials,
  region: string,
): NodeJS.ProcessEnv {
  const baseCredentials =
    /^AWS_(PROFILE|DEFAULT_PROFILE|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|ROLE_ARN|WEB_IDENTITY_TOKEN_FILE|ROLE_SESSION_NAME)$/;
  const child = Object.fromEntries(
    Object.entries(env).filter(([key]) => !baseCredentials.test(key)),
  );
  return {
    ...child,
    AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
    AWS_SESSION_TOKEN: credentials.SessionToken,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

/** What {@link openSession} is asked. */
export interface SessionRequest {
  readonly cfg: StageConfig;
  readonly targets: BreakGlassTargets;
  readonly reason: string;
  readonly mfaSerial: string;
  readonly mfaCode: string;
  readonly env: NodeJS.ProcessEnv;
  readonly say: (text: string) => void;
  /** How long to wait for the agent. @default 10 minutes */
  readonly onlineTimeoutMs?: number;
}

/** Assumes the role, launches, waits, opens the session, terminates. Returns its exit code. */
export async function openSession(
  clients: BreakGlassClients,
  runtime: SessionRuntime,
  req: SessionRequest,
): Promise<number> {
  const { cfg, targets, say } = req;
  const caller = await clients.sts.send(new GetCallerIdentityCommand({})).catch((err) => {
    throw cannotRun(`The configured AWS credentials do not work: ${describe(err)}`);
  });
  if (caller.Account !== cfg.account) {
    throw cannotRun(
      `The credentials are for account ${caller.Account}, but stage ${cfg.name} is in account ${cfg.account}.`,
    );
  }
  let credentials: Credentials;
  try {
    const out = await clients.sts.send(
      new AssumeRoleCommand({
        RoleArn: targets.roleArn,
        RoleSessionName: sessionName(caller.Arn),
        DurationSeconds: SESSION_LIMITS.maxSessionMinutes * 60,
        SerialNumber: req.mfaSerial,
        TokenCode: req.mfaCode,
        Tags: [{ Key: REASON_TAG, Value: req.reason }],
      }),
    );
    if (!out.Credentials) throw new Error('AssumeRole returned no credentials');
    credentials = out.Credentials;
  } catch (err) {
    throw failed(
      `Cannot assume ${targets.roleArn}: ${describe(err)}. The role needs an MFA code of the device ${req.mfaSerial}, and your own IAM policy must allow sts:AssumeRole and sts:TagSession on it.`,
    );
  }
  say(
    `Assumed ${targets.roleArn} until ${credentials.Expiration?.toISOString() ?? 'the hour is up'}; on-call has been paged.`,
  );

  const childEnv = childEnvironment(req.env, credentials, cfg.region);
  const ec2 = async (args: string[]) => {
    const out = await runtime.aws(
      ['ec2', ...args, '--region', cfg.region, '--output', 'json'],
      childEnv,
    );
    if (out.code !== 0)
      throw new Error(out.stderr.trim().split('\n').at(-1) || `aws exited ${out.code}`);
    return out.stdout;
  };
  // No tags in the request: they could replace the template's, whose break-glass tag
  // the role's StartSession and TerminateInstances require.
  const subnet = targets.subnetIds[Math.floor(Math.random() * targets.subnetIds.length)];
  let instanceId: string | undefined;
  try {
    const run = JSON.parse(
      await ec2([
        'run-instances',
        '--launch-template',
        `LaunchTemplateId=${targets.launchTemplateId},Version=$Default`,
        '--subnet-id',
        subnet,
        '--count',
        '1',
      ]),
    ) as { Instances?: Array<{ InstanceId?: string }> };
    instanceId = run.Instances?.[0]?.InstanceId;
  } catch (err) {
    throw failed(`Cannot launch the access instance: ${describe(err)}`);
  }
  if (!instanceId) throw failed('RunInstances returned no instance');
  say(
    `Launched access instance ${instanceId} in ${subnet}; waiting for its Session Manager agent...`,
  );

  let interrupted = false;
  const unregister = runtime.onInterrupt(() => {
    interrupted = true;
  });
  try {
    await waitOnline(
      clients.ssm(credentials),
      runtime,
      instanceId,
      req.onlineTimeoutMs ?? 600_000,
      () => interrupted,
    );
    say(recordNotice(cfg, targets, instanceId));
    const code = await runtime.startSession(
      [
        'ssm',
        'start-session',
        '--target',
        instanceId,
        '--document-name',
        targets.documentName,
        '--region',
        cfg.region,
      ],
      childEnv,
    );
    return code === 0 ? 0 : 1;
  } finally {
    unregister();
    await ec2(['terminate-instances', '--instance-ids', instanceId])
      .then(() => say(`Terminated ${instanceId}.`))
      .catch((err) =>
        say(
          `Could not terminate ${instanceId} (${describe(err)}); it shuts itself down within the hour. Terminate it with: aws ec2 terminate-instances --instance-ids ${instanceId} --region ${cfg.region}`,
        ),
      );
  }
}

async function waitOnline(
  ssm: SSMClient,
  runtime: SessionRuntime,
  instanceId: string,
  timeoutMs: number,
  interrupted: () => boolean,
): Promise<void> {
  const pollMs = 10_000;
  for (let waited = 0; waited <= timeoutMs; waited += pollMs) {
    if (interrupted()) throw failed('Interrupted before the session opened.');
    const out = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: 'InstanceIds', Values: [instanceId] }],
      }),
    );
    if (out.InstanceInformationList?.[0]?.PingStatus === 'Online') return;
    await runtime.sleep(pollMs);
  }
  throw failed(
    `Instance ${instanceId} did not come online in Session Manager within ${Math.round(timeoutMs / 60_000)} minutes (check the ssm, ssmmessages and ec2messages endpoints).`,
  );
}

/** Real clients in the stage's region; EC2 and SSM with the role's credentials. */
export function awsBreakGlassClients(
  region: string,
  cloudFormation: CloudFormationClient,
  sts: STSClient,
): BreakGlassClients {
  const creds = (c: Credentials) => ({
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken,
  });
  return {
    cloudFormation,
    sts,
    ssm: (c) => new SSMClient({ region, credentials: creds(c) }),
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const message = err.message.split('\n')[0];
  return message && message !== err.name ? `${err.name}: ${message}` : err.name;
}
