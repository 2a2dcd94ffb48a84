/** A value, or the reason it could not be had; problems travel as values to one exit point. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A successful {@link Result}. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed {@link Result}, carrying a message for the person running the lint. */
export function fail<T = never>(problem: string): Result<T> {
  return { ok: false, problem };
}

/** Severity of a cfn-lint finding, as cfn-lint's JSON output spells it. */
export type Level = 'Error' | 'Warning' | 'Informational';

/** One finding of `cfn-lint --format json`, with only the fields the lint reads. */
export interface CfnLintFinding {
  /** The template path as it was passed to cfn-lint; null for configuration errors. */
  readonly Filename: string | null;
  readonly Level: Level;
  readonly Location: {
    /** Where in the template, e.g. `["Resources", "Queue", "Properties", "Tags"]`; null when nowhere. */
    readonly Path: readonly (string | number)[] | null;
  };
  readonly Message: string;
  readonly Rule: { readonly Id: string };
}

/** A cfn-lint finding placed in the assembly: which stack, resource and property it is about. */
export interface Finding {
  /** Stack name, or the file cfn-lint named when it is not one of the assembly's templates. */
  readonly stack: string;
  /** Region the template was linted for. */
  readonly region: string;
  /** Logical id of the resource (or output, parameter...) the finding is about, if any. */
  readonly logicalId?: string;
  /** `Type` of that resource in the template, when the finding is under `Resources`. */
  readonly resourceType?: string;
  /** Top-level property of the resource, when the path is `Resources/<id>/Properties/<name>/...`. */
  readonly property?: string;
  /** Path inside the resource (or section entry), e.g. `Properties.Tags[0].Key`; `-` when none. */
  readonly path: string;
  readonly rule: string;
  readonly level: Level;
  readonly message: string;
}
