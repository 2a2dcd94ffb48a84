import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';

/** What CloudFormation says about one stack of the stage. */
export type StackState =
  | { readonly kind: 'absent' }
  | {
      readonly kind: 'present';
      readonly status: StackStatus | string;
      readonly terminationProtection: boolean;
      readonly outputs: Readonly<Record<string, string>>;
    };

/** Statuses of a stack whose first creation failed: it never existed whole. */
export const NEVER_COMPLETED: ReadonlySet<string> = new Set([
  'CREATE_FAILED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
]);

/** CloudFormation's answer for a stack that does not exist (a generic ValidationError). */
export const isMissingStack = (err: unknown) =>
  err instanceof Error && err.name === 'ValidationError' && /does not exist/.test(err.message);

/** The stack's state: absent, or its status, termination protection and outputs. */
export async function readStackState(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<StackState> {
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return { kind: 'absent' };
    return {
      kind: 'present',
      status: stack.StackStatus ?? 'UNKNOWN',
      terminationProtection: stack.EnableTerminationProtection === true,
      outputs: Object.fromEntries(
        (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
      ),
    };
  } catch (err) {
    if (isMissingStack(err)) return { kind: 'absent' };
    throw err;
  }
}

/** A stack that exists and completed (created or updated): its resources are its own. */
export const isDeployed = (s: StackState) =>
  s.kind === 'present' && !NEVER_COMPLETED.has(s.status) && s.status !== 'REVIEW_IN_PROGRESS';
