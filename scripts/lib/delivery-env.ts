import { physicalNames, type StageConfig } from '../../lib/config';
import { bootstrapRoleName } from '../../lib/constructs/deploy-access';
import { defineCommand, defineSpec, invoke, type Io, cannotRun } from './cli';
import { CDK_JSON, stageArgument } from './project-stages';

/** The command line of `npm run delivery:env`. */
export const DELIVERY_ENV_CLI = defineSpec({
  name: 'delivery:env',
  usage: '--stage <name>',
  summary: "Prints a stage's delivery settings as name=value lines for $GITHUB_OUTPUT.",
  description: `account, region, the deploy and read roles of the stage's DeployAccess stack, the CDK
lookup role the tools read the account through (BULWARK_READ_ROLE_ARN), the domain and
the GitHub environment. Read from cdk.json; no AWS call, no credentials.`,
  options: {
    stage: { type: 'string', value: 'name', required: true, description: 'the stage of cdk.json' },
  },
  exitCodes: '0 printed, 2 bad arguments or an invalid cdk.json.',
});

/** The ARN of an IAM role of `account` (IAM is global: no region). */
const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

/** The name=value pairs of a stage, in print order. */
export function deliveryEnv(cfg: StageConfig): ReadonlyArray<readonly [string, string]> {
  const names = physicalNames(cfg);
  return [
    ['account', cfg.account],
    ['region', cfg.region],
    ['deploy-role-arn', roleArn(cfg.account, names.deployRole)],
    ['read-role-arn', roleArn(cfg.account, names.deliveryReadRole)],
    ['lookup-role-arn', roleArn(cfg.account, bootstrapRoleName('lookup', cfg.account, cfg.region))],
    ['domain', cfg.domainName],
    ['environment', cfg.delivery.environment],
  ];
}

/** `npm run delivery:env`, reading `cdkJson`. */
export function deliveryEnvCommand(options: { readonly cdkJson?: string } = {}) {
  return defineCommand({
    ...DELIVERY_ENV_CLI,
    run: ({ values }, { stdout }: Io) => {
      const chosen = stageArgument('delivery:env', values.stage, options.cdkJson ?? CDK_JSON);
      if ('problem' in chosen) return cannotRun(chosen.problem);
      stdout(
        deliveryEnv(chosen.cfg)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
      return 0;
    },
  });
}

/** `npm run delivery:env`: returns the exit code. */
export function run(argv: readonly string[], io: Partial<Io> = {}): Promise<number> {
  return invoke(deliveryEnvCommand(), argv, io);
}
