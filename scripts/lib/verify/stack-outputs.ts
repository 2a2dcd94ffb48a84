import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { isMissingStack } from '../stack-state';
import type { StageConfig } from '../../../lib/config';
import { OUTPUT_KEYS, type StagePart, stageStacks } from '../../../lib/stage-layout';
import { CannotVerify, errorEvidence } from './types';

const { Recovery, Data, Replica, Security, App, Edge } = OUTPUT_KEYS;

/**
 * Outputs each stack must have for the checks to find their resources. `DetectorId`
 * (Security) is optional: stages that use the account's existing detector have none.
 */
export const REQUIRED_OUTPUTS: Record<StagePart, readonly string[]> = {
  Network: [],
  Recovery: [Recovery.replicaBucketName],
  Data: [Data.backupBucketName],
  Replica: [Replica.replicaInstanceId],
  Security: [
    Security.alertTopicArn,
    Security.trailArn,
    Security.userPoolId,
    Security.cmsClientId,
    Security.breakGlassDocumentName,
    Security.breakGlassLogGroupName,
    Security.breakGlassBucketName,
    Security.breakGlassAlarmName,
  ],
  App: [App.loadBalancerArn, App.webAclArn, App.blockedV4Arn, App.blockedV6Arn],
  Edge: [
    Edge.distributionId,
    Edge.distributionArn,
    Edge.webAclArn,
    Edge.blockedV4Arn,
    Edge.blockedV6Arn,
    Edge.alertTopicArn,
  ],
  DeployAccess: [],
};

/** One deployed stack of the stage. */
export interface DeployedStack {
  readonly part: StagePart;
  /** `Bulwark-<Stage>-<Part>`. */
  readonly name: string;
  readonly region: string;
  /** Its outputs, by key. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** Every stack of a deployed stage, by part (`Replica` only where the stage has one). */
export type DeployedStage = Readonly<Record<Exclude<StagePart, 'Replica'>, DeployedStack>> & {
  readonly Replica?: DeployedStack;
};

/**
 * Reads the outputs of every stack of the stage (DescribeStacks). Throws
 * {@link CannotVerify} naming each stack that is not deployed, or each output a
 * stack lacks (deployed from an older version), or a stack that cannot be read.
 */
export async function readDeployedStage(
  cloudFormation: (region: string) => CloudFormationClient,
  cfg: StageConfig,
  primaryRegion: string,
): Promise<DeployedStage> {
  const stacks = stageStacks(cfg, primaryRegion);
  const read = await Promise.all(
    stacks.map(async (stack) => {
      try {
        const out = await cloudFormation(stack.region).send(
          new DescribeStacksCommand({ StackName: stack.name }),
        );
        const outputs = Object.fromEntries(
          (out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
        );
        return { ...stack, outputs };
      } catch (err) {
        if (isMissingStack(err)) return { ...stack, missing: true as const };
        throw new CannotVerify(
          `Cannot read stack ${stack.name} in ${stack.region}: ${errorEvidence(err)}`,
        );
      }
    }),
  );

  const missing = read.filter((s) => 'missing' in s);
  if (missing.length > 0) {
    throw new CannotVerify(
      `Stage ${cfg.name} is not deployed: ${missing.map((s) => `${s.name} (${s.region})`).join(', ')} does not exist.\n` +
        `Deploy the stage first (npm run deploy -- --stage ${cfg.name}), then verify it.`,
    );
  }
  const deployed = read as DeployedStack[];
  const lacking = deployed.flatMap((s) =>
    REQUIRED_OUTPUTS[s.part].filter((key) => !s.outputs[key]).map((key) => `${s.name}: ${key}`),
  );
  if (lacking.length > 0) {
    throw new CannotVerify(
      `Stacks lack outputs the checks need (deployed from an older version?): ${lacking.join(', ')}.\n` +
        `Deploy the current version (npm run deploy -- --stage ${cfg.name}), then verify it.`,
    );
  }
  return Object.fromEntries(deployed.map((s) => [s.part, s])) as DeployedStage;
}
