import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cannotRun } from './cli';

/**
 * Where the AWS SDK's default credential chain would find credentials, without
 * contacting AWS (not even the instance-metadata address). `undefined` when
 * there are none.
 */
export function credentialSource(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'environment variables';
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE}`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'web identity token';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return 'container credentials';
  }
  // An EC2 instance role cannot be seen without calling the metadata address; the
  // tools call it only when asked to, with AWS_EC2_METADATA_DISABLED=false.
  if (env.AWS_EC2_METADATA_DISABLED === 'false') return 'EC2 instance role';
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
  ];
  const found = files.find((f) => fs.existsSync(f));
  return found ? `shared file ${found}` : undefined;
}

/** Exit code of a tool that cannot run because AWS access is missing. */
export const EXIT_CANNOT_RUN = 2;

/** What a tool that needs an account says when no AWS credentials are configured. */
export function noCredentialsMessage(tool: string): string {
  return (
    `${tool} needs a real AWS account, and no AWS credentials are configured.\n` +
    'Configure them as for the AWS CLI (AWS_PROFILE, aws sso login, or access keys), then run it again.\n' +
    'On an EC2 instance with a role, set AWS_EC2_METADATA_DISABLED=false.\n' +
    'Nothing else in Bulwark needs an account: `npm run synth` and `npm test` run offline.'
  );
}

/**
 * Where the credentials come from; throws a `CliError` (exit 2, with a clear
 * message) when no AWS credentials are configured.
 */
export function requireCredentials(tool: string, env: NodeJS.ProcessEnv = process.env): string {
  const source = credentialSource(env);
  if (!source) throw cannotRun(noCredentialsMessage(tool));
  return source;
}
