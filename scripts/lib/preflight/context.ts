import type { StageConfig } from '../../../lib/config';
import type { StackState } from '../stack-state';
import type { StackPart } from '../verify/stack-outputs';
import type { AssemblyStack } from './assembly';
import type { PreflightClients } from './clients';

/** What every preflight check reads: the stage, its synthesized stacks and their state. */
export interface PreflightContext {
  readonly cfg: StageConfig;
  readonly clients: PreflightClients;
  /** The stage's stacks in the cloud assembly. */
  readonly stacks: readonly AssemblyStack[];
  /** What CloudFormation says of each stack now. */
  readonly states: Readonly<Record<StackPart, StackState>>;
  /** The cloud assembly directory. */
  readonly assemblyDir: string;
}

/** The stack of `part`. */
export const stackOf = (ctx: PreflightContext, part: StackPart) =>
  ctx.stacks.find((s) => s.part === part)!;

/** An output of a deployed stack, if it has one. */
export function outputOf(ctx: PreflightContext, part: StackPart, key: string): string | undefined {
  const state = ctx.states[part];
  return state.kind === 'present' ? state.outputs[key] : undefined;
}
