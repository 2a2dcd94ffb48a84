import type { StageConfig } from '../../../lib/config';
import { OUTPUT_KEYS } from '../../../lib/stage-layout';
import type { StackState } from '../stack-state';
import type { StagePart } from '../../../lib/stage-layout';
import type { AssemblyStack } from './assembly';
import type { PreflightClients } from './clients';

/** What every preflight check reads: the stage, its synthesized stacks and their state. */
export interface PreflightContext {
  readonly cfg: StageConfig;
  readonly clients: PreflightClients;
  /** The stage's stacks in the cloud assembly. */
  readonly stacks: readonly AssemblyStack[];
  /** What CloudFormation says of each stack now. */
  readonly states: Readonly<Record<StagePart, StackState>>;
  /** The cloud assembly directory. */
  readonly assemblyDir: string;
}

/** The stack of `part`. */
export const stackOf = (ctx: PreflightContext, part: StagePart) =>
  ctx.stacks.find((s) => s.part === part)!;

/** An output of a deployed stack (by its name in `OUTPUT_KEYS[part]`), if it has one. */
export function outputOf<P extends StagePart>(
  ctx: PreflightContext,
  part: P,
  key: keyof (typeof OUTPUT_KEYS)[P],
): string | undefined {
  const state = ctx.states[part];
  const outputKey = (OUTPUT_KEYS[part] as Record<typeof key, string>)[key];
  return state.kind === 'present' ? state.outputs[outputKey] : undefined;
}
