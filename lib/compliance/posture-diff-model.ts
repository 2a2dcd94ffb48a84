import type { ControlStatus, Quantifier } from './controls';
import type { ValidationFinding } from './validation-report';

/** Version of the posture diff's JSON schema; bumped on any incompatible change. */
export const POSTURE_DIFF_FORMAT = 'bulwark-posture-diff/1';

/**
 * Which way a change moves the posture: `weakens` (evidence lost, a resource leaving a claim
 * or failing it, an acknowledgement or finding added, termination protection dropped),
 * `strengthens` (the reverse), `neutral` (a judged value or a reason that changed).
 */
export type Direction = 'weakens' | 'strengthens' | 'neutral';

/** A value on each side; `undefined` where that side lacks it. */
export interface Change<T> {
  readonly before: T | undefined;
  readonly after: T | undefined;
}

/** A stack of one side, as the report lists it. */
export interface StackRef {
  readonly stage: string;
  readonly name: string;
  readonly environment: string;
  readonly terminationProtection: boolean;
}

/** A stack on both sides whose environment or termination protection differs. */
export interface StackChange {
  readonly stage: string;
  readonly name: string;
  readonly environment?: Change<string>;
  readonly terminationProtection?: Change<boolean>;
  readonly direction: Direction;
}

/** Where a resource stands in a claim: it holds it, it fails it, or the claim is not about it. */
export type ResourceState = 'holds' | 'fails' | 'absent';

/** A resource whose standing in a claim differs (`stack/logicalId`). */
export interface ResourceChange {
  readonly resource: string;
  readonly before: ResourceState;
  readonly after: ResourceState;
  /** The values judged on the side where the resource is (the current one when on both). */
  readonly properties: Record<string, string>;
  readonly direction: Direction;
}

/** One judged value of a resource on both sides that differs (shortened JSON). */
export interface ValueChange extends Change<string> {
  readonly resource: string;
  readonly property: string;
}

/** A claim of one stage and stack (keyed by stage, stack part and claim) that changed. */
export interface EvidenceChange {
  readonly stage: string;
  readonly stack: string;
  readonly claim: string;
  readonly type: string;
  readonly quantifier: Quantifier;
  /** Whether the claim holds on each side (`undefined`: the claim is absent there). */
  readonly ok: Change<boolean>;
  readonly resources: ResourceChange[];
  readonly values: ValueChange[];
  /** The direction of the `ok` change; `neutral` when it holds (or fails) on both sides. */
  readonly direction: Direction;
}

/** An acknowledgement (keyed by path and rule) added, removed or given another reason. */
export interface AcknowledgementChange {
  readonly path: string;
  readonly rule: string;
  readonly change: 'added' | 'removed' | 'reason';
  readonly reason: Change<string>;
  /** Controls whose nag rules include the acknowledged rule (empty: none does). */
  readonly controls: string[];
  readonly direction: Direction;
}

/** An unresolved validation finding that appeared or went away. */
export interface FindingChange extends ValidationFinding {
  readonly change: 'added' | 'removed';
  /** Controls whose nag rules include the finding's rule. */
  readonly controls: string[];
  readonly direction: Direction;
}

/** A control whose catalogue entry, evidence or acknowledgements changed. */
export interface ControlDiff {
  readonly id: string;
  /** The current statement (the baseline's for a removed control). */
  readonly title: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly status?: Change<ControlStatus>;
  readonly statement?: Change<string>;
  readonly evidence: EvidenceChange[];
  readonly acknowledgements: AcknowledgementChange[];
  /** Whether any of its changes weakens (or strengthens) the posture. */
  readonly weakens: boolean;
  readonly strengthens: boolean;
}

/**
 * What changed in the security posture between a baseline assembly and the current one,
 * both judged by the current catalogue.
 */
export interface PostureDiff {
  readonly format: string;
  readonly stages: { readonly added: string[]; readonly removed: string[] };
  readonly stacks: {
    readonly added: StackRef[];
    readonly removed: StackRef[];
    readonly changed: StackChange[];
  };
  /** Weakened controls first, then by id. */
  readonly controls: ControlDiff[];
  /** Every acknowledgement change, each naming its controls. */
  readonly acknowledgements: AcknowledgementChange[];
  readonly findings: FindingChange[];
  /** True when nothing above changed. */
  readonly empty: boolean;
}
