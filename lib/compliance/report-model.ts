import type { AccountService, StageOption, StagePart } from '../stage-layout';
import type { Control, ControlStatus, Quantifier } from './controls';
import type { ValidationFinding } from './validation-report';

/**
 * Version of the report's JSON schema; bumped on any incompatible change (2: claims carry a
 * quantifier, and `matches` and `failures` are the resources a claim is about).
 */
export const REPORT_FORMAT = 'bulwark-compliance-report/2';

/** One resource that backs a claim. */
export interface EvidenceMatch {
  readonly stack: string;
  readonly logicalId: string;
  /** The template values the claim was judged on (as JSON, shortened). */
  readonly properties: Record<string, string>;
}

/** A claim checked against one stage. */
export interface EvidenceResult {
  readonly claim: string;
  readonly type: string;
  readonly stack: StagePart;
  readonly stage: string;
  readonly quantifier: Quantifier;
  /** The resources the claim is about that hold it. */
  readonly matches: EvidenceMatch[];
  /** The resources the claim is about that do not hold it, with the values judged. */
  readonly failures: EvidenceMatch[];
  /** `every`: at least one match and no failure; `some`: at least one match. */
  readonly ok: boolean;
  /**
   * Set when the claim is about an account service the stage takes from the account
   * (`guardDuty: "existing"`) and creates no resource for: the template cannot prove it, and
   * the control's live checks check the account's own.
   */
  readonly accountService?: { key: AccountService; mode: 'existing' };
  /**
   * Set when the claim is about a stage option the stage does not choose
   * (`database.crossRegionReplica: false`) and it has no resource the claim is about.
   */
  readonly notChosen?: { key: StageOption; value: unknown };
}

/** One acknowledged finding, as recorded in the assembly. */
export interface AcknowledgedFinding {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** The machine-readable report. */
export interface ComplianceReport {
  readonly format: string;
  readonly stages: {
    name: string;
    stacks: { name: string; environment: string; terminationProtection: boolean }[];
  }[];
  readonly nagPacks: readonly string[];
  readonly summary: Record<ControlStatus, number> & { evidenceFailures: number };
  readonly controls: (Omit<Control, 'evidence'> & {
    evidence: EvidenceResult[];
    ok: boolean;
    /** ISO/IEC 27001:2022 Annex A controls it supports, as `A.8.24 Use of cryptography`. */
    iso27001: string[];
    /** Stage config values the schema refuses because this control would fail on them. */
    configConstraints: { key: string; refused: string[]; why: string }[];
  })[];
  readonly acknowledgements: AcknowledgedFinding[];
  /** Resources that aws-cdk-lib deploys on Bulwark's behalf, and why each is acceptable. */
  readonly cdkInternal: { resource: string; why: string }[];
  /** Unresolved findings of a failed synthesis (empty after a successful one). */
  readonly findings: ValidationFinding[];
}

/**
 * Why a claim fails, in one line: each resource it is about that does not hold it
 * (`every`), or that there is no such resource at all, or none holds it (`some`).
 */
export function evidenceFailureText(controlId: string, e: EvidenceResult): string {
  const where = `${controlId} (${e.stage}): ${e.claim}`;
  if (e.matches.length === 0 && e.failures.length === 0)
    return `${where}: no ${e.type} in ${e.stack} that the claim is about`;
  const failing = e.failures.map(
    (f) =>
      `${f.logicalId} (${Object.entries(f.properties)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`,
  );
  return e.quantifier === 'some'
    ? `${where}: no ${e.type} in ${e.stack} holds it; judged ${failing.join('; ')}`
    : `${where}: does not hold for ${e.failures.length} of ${e.matches.length + e.failures.length} ${e.type} in ${e.stack}: ${failing.join('; ')}`;
}
