import {
  type CloudFormationClient,
  DeleteStackCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { ModifyDBInstanceCommand, type RDSClient } from '@aws-sdk/client-rds';
import { NEVER_COMPLETED, type StackState, readStackState } from '../stack-state';

/** The AWS clients a recovery uses, per region. */
export interface RecoveryClients {
  cloudFormation(region: string): CloudFormationClient;
  rds(region: string): RDSClient;
}

/** One step of cleaning up a stack whose first creation failed. */
export interface RecoveryStep {
  /** What the step does, for the person confirming it. */
  readonly description: string;
  /** The same step as an AWS CLI command, for doing it by hand. */
  readonly command: string;
  /** Does the step. */
  apply(clients: RecoveryClients): Promise<void>;
}

/** A stack that blocks the deploy, and what to do about it. */
export interface StackRecovery {
  readonly stack: string;
  readonly region: string;
  readonly status: string;
  /** Cleanup steps; empty when the stack must be left to finish what it is doing. */
  readonly steps: readonly RecoveryStep[];
  /** Resources CloudFormation kept (DeletionPolicy Retain): they stay in the account. */
  readonly kept: readonly string[];
  /** Why nothing can be done now, when `steps` is empty. */
  readonly wait?: string;
}

/** A ROLLBACK_FAILED or DELETE_FAILED resource still there, and deletion-protected. */
const PROTECTED_TYPES = new Set(['AWS::RDS::DBInstance']);

async function resourcesOf(
  cfn: CloudFormationClient,
  stack: string,
): Promise<StackResourceSummary[]> {
  const all: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const out = await cfn.send(
      new ListStackResourcesCommand({ StackName: stack, NextToken: token }),
    );
    all.push(...(out.StackResourceSummaries ?? []));
    token = out.NextToken;
  } while (token);
  return all;
}

/**
 * What must happen before `stack` can be created again, or undefined when it does not
 * block a deploy. A stack whose first creation failed (ROLLBACK_COMPLETE, ROLLBACK_FAILED,
 * CREATE_FAILED) can only be deleted; the CDK CLI deletes such a stack itself, but
 * not one with termination protection, and not one that still holds a deletion-protected
 * database. The plan: turn off termination protection, turn off deletion protection of
 * the never-used database instances it created, delete the stack. It never touches a
 * stack that completed once: those hold data.
 */
export async function planRecovery(
  clients: RecoveryClients,
  stack: string,
  region: string,
  state: StackState = { kind: 'absent' },
): Promise<StackRecovery | undefined> {
  if (state.kind !== 'present') return undefined;
  const base = { stack, region, status: state.status };
  if (state.status === 'ROLLBACK_IN_PROGRESS') {
    return {
      ...base,
      steps: [],
      kept: [],
      wait: 'its rollback is still running; run the deploy again once it ends',
    };
  }
  if (!NEVER_COMPLETED.has(state.status)) return undefined;
  const cfn = clients.cloudFormation(region);
  const resources = await resourcesOf(cfn, stack);
  const steps: RecoveryStep[] = [];
  if (state.terminationProtection) {
    steps.push({
      description: `turn off termination protection of ${stack}, which never finished its first creation`,
      command: `aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${stack} --region ${region}`,
      apply: async (c) => {
        await c.cloudFormation(region).send(
          new UpdateTerminationProtectionCommand({
            StackName: stack,
            EnableTerminationProtection: false,
          }),
        );
      },
    });
  }
  const remaining = resources.filter(
    (r) =>
      r.PhysicalResourceId &&
      !['DELETE_COMPLETE', 'DELETE_SKIPPED'].includes(String(r.ResourceStatus)),
  );
  for (const r of remaining.filter((x) => PROTECTED_TYPES.has(String(x.ResourceType)))) {
    const id = r.PhysicalResourceId!;
    steps.push({
      description: `turn off deletion protection of database instance ${id} (created by the failed attempt; it holds no data yet), so that the stack's deletion can remove it`,
      command: `aws rds modify-db-instance --db-instance-identifier ${id} --no-deletion-protection --apply-immediately --region ${region}`,
      apply: async (c) => {
        await c.rds(region).send(
          new ModifyDBInstanceCommand({
            DBInstanceIdentifier: id,
            DeletionProtection: false,
            ApplyImmediately: true,
          }),
        );
      },
    });
  }
  steps.push({
    description: `delete ${stack} (${state.status}); the deploy then creates it anew`,
    command: `aws cloudformation delete-stack --stack-name ${stack} --region ${region} && aws cloudformation wait stack-delete-complete --stack-name ${stack} --region ${region}`,
    apply: async (c) => {
      await c.cloudFormation(region).send(new DeleteStackCommand({ StackName: stack }));
      await waitForDeletion(c.cloudFormation(region), stack);
    },
  });
  const kept = resources
    .filter((r) => r.ResourceStatus === 'DELETE_SKIPPED' && r.PhysicalResourceId)
    .map((r) => `${r.ResourceType} ${r.PhysicalResourceId}`);
  return { ...base, steps, kept };
}

/** Polls until the stack is gone; fails naming the status when the deletion fails. */
export async function waitForDeletion(
  cfn: CloudFormationClient,
  stack: string,
  options: { readonly intervalMs?: number; readonly timeoutMs?: number } = {},
): Promise<void> {
  const interval = options.intervalMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
  for (;;) {
    const state = await readStackState(cfn, stack);
    if (state.kind === 'absent') return;
    if (state.status === 'DELETE_FAILED') {
      throw new Error(
        `Deleting ${stack} failed (DELETE_FAILED): see its events (aws cloudformation describe-stack-events --stack-name ${stack}); a resource that cannot be deleted can be kept with delete-stack --retain-resources`,
      );
    }
    if (Date.now() > deadline) throw new Error(`${stack} is still ${state.status} after the wait`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** The recovery as text: each step with its command, then what stays in the account. */
export function describeRecovery(r: StackRecovery): string {
  const lines = [`${r.stack} (${r.region}) is ${r.status}: its first creation failed.`];
  if (r.wait) return `${lines[0]}\n  It blocks the deploy: ${r.wait}.`;
  r.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.description}\n     ${s.command}`));
  if (r.kept.length > 0) {
    lines.push(
      `  Kept in the account (retained; remove by hand if unwanted): ${r.kept.join(', ')}`,
    );
  }
  return lines.join('\n');
}
