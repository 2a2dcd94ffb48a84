import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { EXAMPLE_CONFIG, buildSandbox } from '../../../test/integ/sandbox-app';
import { normalizedTemplates, writeSnapshot } from '../../../test/integ/snapshot';
import { EXIT_CANNOT_RUN, credentialSource } from '../aws-credentials';
import { defineCommand, defineSpec, invoke, usageError } from '../cli';
import { CDK_JSON } from '../project-stages';

/** The command line of `npm run integ`. */
export const INTEG_CLI = defineSpec({
  name: 'integ',
  usage: ['--profile <aws profile> --config <sandbox.json> [--keep]', '--update-snapshot'],
  summary:
    'Deploys a downscaled sandbox stage (Bulwark-Sandbox-*) and its assertions, then destroys them.',
  description: `The sandbox goes into the account of --profile, and is destroyed unless --keep.
--config names a JSON file with the sandbox's account, regions, domain, hosted zone,
alert addresses and Cognito prefix (see test/integ/sandbox.example.json); the rest comes
from the staging stage. The assertions: /health through CloudFront, a published entry
served with the security headers, a backup run writing a manifest, GuardDuty's sample
finding ignored and a crafted one blocking its address.`,
  options: {
    profile: { type: 'string', value: 'p', description: 'AWS profile of the sandbox account' },
    config: { type: 'string', value: 'file', description: "the sandbox's settings" },
    keep: { type: 'boolean', description: 'leave the sandbox deployed' },
    'update-snapshot': {
      type: 'boolean',
      description: 'rewrite test/integ/integ.sandbox.snapshot/ offline (no account)',
    },
  },
  exitCodes: `0 assertions passed and the sandbox was destroyed, 1 a deploy, assertion or
destroy failed, 2 cannot run (bad arguments, no credentials).`,
});

const OUT = 'cdk.out.integ';
const APP = 'npx tsx test/integ/integ.sandbox.ts';

/** What {@link run} needs from its surroundings (tests replace each). */
export interface IntegOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Runs a command; returns its exit code. */
  readonly exec?: (command: string, args: readonly string[], env: NodeJS.ProcessEnv) => number;
}

/** Whether the shared AWS files define `profile` (without calling AWS). */
export function profileConfigured(profile: string, env: NodeJS.ProcessEnv): boolean {
  if (!credentialSource(env)) return false;
  const home = env.HOME ?? os.homedir();
  const files: Array<[string, RegExp]> = [
    [
      env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
      new RegExp(`^\\[(profile )?${profile}\\]`, 'm'),
    ],
    [
      env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
      new RegExp(`^\\[${profile}\\]`, 'm'),
    ],
  ];
  return files.some(
    ([file, section]) => fs.existsSync(file) && section.test(fs.readFileSync(file, 'utf8')),
  );
}

/** Rewrites the offline snapshot from the example settings, bundling skipped. */
export function updateSnapshot(): number {
  const context = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context;
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-integ-')),
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  buildSandbox(app, JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')));
  writeSnapshot(normalizedTemplates(app.synth().directory));
  return 0;
}

/** `npm run integ`: returns the exit code. */
export function run(argv: readonly string[], options: IntegOptions = {}): Promise<number> {
  return invoke(integCommand(options), argv, options);
}

/** `npm run integ`, with its surroundings as `options` say. */
export function integCommand(options: IntegOptions = {}) {
  return defineCommand({ ...INTEG_CLI, run: ({ values }) => integ(values, options) });
}

async function integ(
  values: {
    readonly profile?: string;
    readonly config?: string;
    readonly keep: boolean;
    readonly 'update-snapshot': boolean;
  },
  options: IntegOptions,
) {
  const stderr = options.stderr ?? ((t: string) => console.error(t));
  const exec =
    options.exec ??
    ((c: string, a: readonly string[], env: NodeJS.ProcessEnv) =>
      spawnSync(c, [...a], { stdio: 'inherit', env }).status ?? 1);
  if (values['update-snapshot']) return updateSnapshot();
  if (!values.profile || !values.config) {
    return usageError('--profile and --config are required (or --update-snapshot)');
  }
  if (!fs.existsSync(values.config)) {
    stderr(
      `integ: --config ${values.config} does not exist (start from test/integ/sandbox.example.json)`,
    );
    return EXIT_CANNOT_RUN;
  }
  const env = {
    ...(options.env ?? process.env),
    AWS_PROFILE: values.profile,
    BULWARK_SANDBOX_CONFIG: path.resolve(values.config),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
  if (!profileConfigured(values.profile, env)) {
    stderr(
      `integ needs a sandbox AWS account, and no AWS profile ${values.profile} is configured ` +
        '(in ~/.aws/config or ~/.aws/credentials). Configure it as for the AWS CLI (aws configure sso), then run it again.',
    );
    return EXIT_CANNOT_RUN;
  }
  const cdk = (...args: string[]) => exec('npx', ['cdk', ...args], env);
  if (cdk('synth', '--quiet', '--app', APP, '-o', OUT) !== 0) {
    stderr('integ: synthesis failed; nothing was deployed');
    return 1;
  }
  const deployed = cdk(
    'deploy',
    '--app',
    OUT,
    '--all',
    '--require-approval',
    'never',
    '--profile',
    values.profile,
  );
  stderr(
    deployed === 0
      ? 'integ: every assertion passed'
      : 'integ: the deploy or an assertion failed (see above)',
  );
  if (values.keep) {
    stderr('integ: --keep: the sandbox stays deployed; run again without --keep to destroy it');
    return deployed === 0 ? 0 : 1;
  }
  const destroyed = cdk('destroy', '--app', OUT, '--all', '--force', '--profile', values.profile);
  stderr(
    'integ: left in the account by design: the backup vaults and their access-log buckets ' +
      '(Object Lock keeps backups for backupRetentionDays), the other buckets, and the KMS keys ' +
      '(retained; schedule their deletion once the buckets are gone).',
  );
  if (destroyed !== 0)
    stderr(
      'integ: the destroy failed (see above); delete the remaining Bulwark-Sandbox-* stacks by hand',
    );
  return deployed === 0 && destroyed === 0 ? 0 : 1;
}
