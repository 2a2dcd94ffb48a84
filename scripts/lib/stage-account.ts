import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { StageConfig } from '../../lib/config';
import { errorEvidence } from './verify/types';

/**
 * Throws `cannot(message)` unless the credentials work and are for the stage's account:
 * the first call of every tool that reads a stage's account (GetCallerIdentity needs no
 * permission).
 */
export async function requireStageAccount(
  sts: STSClient,
  cfg: StageConfig,
  cannot: (message: string) => Error,
): Promise<void> {
  let account: string | undefined;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (err) {
    throw cannot(`The configured AWS credentials do not work: ${errorEvidence(err)}`);
  }
  if (account !== cfg.account) {
    throw cannot(
      `The credentials are for account ${account}, but stage ${cfg.name} is deployed in account ${cfg.account}. ` +
        `Use credentials for ${cfg.account}.`,
    );
  }
}
