import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { cannotRun } from './cli';

/** A credential provider, as the SDK's clients take it. */
type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;

/**
 * The environment variable naming a role the tools read the account through: the
 * delivery pipeline's roles may only assume the CDK bootstrap roles, so its jobs set
 * it to the CDK lookup role (`ReadOnlyAccess`) for preflight, verify and drift.
 */
export const READ_ROLE_ENV = 'BULWARK_READ_ROLE_ARN';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

let shared: { readonly arn: string; readonly provider: AwsCredentialIdentityProvider } | undefined;

/**
 * The credentials every client of a tool uses: the default chain, or, when
 * {@link READ_ROLE_ENV} names a role, that role assumed from the default chain (one
 * session for all clients, renewed before it expires). Throws a `CliError` (exit 2) on
 * a value that is not a role ARN.
 */
export function readCredentials(
  env: NodeJS.ProcessEnv = process.env,
): AwsCredentialIdentityProvider | undefined {
  const arn = env[READ_ROLE_ENV];
  if (!arn) return undefined;
  if (!ROLE_ARN.test(arn)) {
    throw cannotRun(`${READ_ROLE_ENV} = ${JSON.stringify(arn)} is not an IAM role ARN`);
  }
  if (shared?.arn !== arn) {
    const provider = fromTemporaryCredentials({
      params: {
        RoleArn: arn,
        RoleSessionName: `bulwark-read-${Date.now()}`,
        DurationSeconds: 3600,
      },
      clientConfig: { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1' },
    });
    shared = { arn, provider };
  }
  return shared.provider;
}

/**
 * The configuration of an AWS SDK client of the project's tools in `region`: its
 * region, and the credentials of {@link readCredentials} when a read role is set.
 */
export function awsClientConfig(
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): { region: string; credentials?: AwsCredentialIdentityProvider } {
  const credentials = readCredentials(env);
  return credentials ? { region, credentials } : { region };
}
