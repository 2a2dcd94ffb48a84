/**
 * Constraints of the stage config that the catalogue's evidence depends on: values the
 * schema (`lib/config/schema.ts`) refuses because a stage built with them would fail a
 * control. A test proves the schema refuses each value, naming the key.
 */

/** A config key whose values a control constrains. */
export interface ConfigConstraint {
  /** The control whose evidence such a value would fail (`DR-REPL`). */
  readonly control: string;
  /** The key in a stage's config, dotted (`database.readReplicas`). */
  readonly key: string;
  /** Values the schema refuses (boundaries first). */
  readonly refused: readonly unknown[];
  /** Why: what the control needs of the key. */
  readonly why: string;
}

/** Every constraint the catalogue puts on the stage config. */
export const CONFIG_CONSTRAINTS: readonly ConfigConstraint[] = [];
