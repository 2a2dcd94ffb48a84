import * as path from 'node:path';
import { type CfnLintFinding, type Finding, type Level, type Result, fail, ok } from './types';

const LEVELS: readonly Level[] = ['Error', 'Warning', 'Informational'];

function isFinding(value: unknown): value is CfnLintFinding {
  const f = value as Partial<CfnLintFinding> | null;
  const p = f?.Location?.Path;
  return (
    typeof f === 'object' &&
    f !== null &&
    (typeof f.Filename === 'string' || f.Filename === null) &&
    LEVELS.includes(f.Level as Level) &&
    typeof f.Message === 'string' &&
    typeof f.Rule?.Id === 'string' &&
    (p === null ||
      (Array.isArray(p) && p.every((s) => typeof s === 'string' || typeof s === 'number')))
  );
}

/**
 * The findings of `cfn-lint --format json` (a JSON array; an empty output counts as no
 * findings). Fails when the text is not that.
 */
export function parseCfnLintJson(text: string): Result<CfnLintFinding[]> {
  if (text.trim() === '') return ok([]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail(`not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value)) return fail('not a JSON array of findings');
  const bad = value.findIndex((f) => !isFinding(f));
  if (bad >= 0)
    return fail(`finding ${bad} lacks Filename, Level, Location.Path, Message or Rule.Id`);
  return ok(value as CfnLintFinding[]);
}

/** A path inside a resource or section entry, e.g. `Properties.Tags[0].Key`. */
function renderPath(segments: readonly (string | number)[]): string {
  const text = segments
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .replace(/^\./, '');
  return text || '-';
}

/** The stack a template belongs to, and the `Type` of each of its resources. */
export interface TemplateInfo {
  readonly stack: string;
  readonly region: string;
  readonly resourceTypes: ReadonlyMap<string, string>;
}

/**
 * Places a cfn-lint finding in the assembly: its stack (by template file), the logical id
 * and `Type` of its resource, and the top-level property, read from `Location.Path`
 * `["Resources", <logicalId>, "Properties", <property>, ...]`.
 */
export function placeFinding(
  raw: CfnLintFinding,
  region: string,
  templates: ReadonlyMap<string, TemplateInfo>,
): Finding {
  const template = raw.Filename ? templates.get(path.resolve(raw.Filename)) : undefined;
  const segments = raw.Location.Path ?? [];
  const [section, logicalId, group, property] = segments;
  const inResources = section === 'Resources' && typeof logicalId === 'string';
  return {
    stack: template?.stack ?? raw.Filename ?? '-',
    region: template?.region ?? region,
    ...(typeof logicalId === 'string' ? { logicalId } : {}),
    ...(inResources && template?.resourceTypes.has(logicalId)
      ? { resourceType: template.resourceTypes.get(logicalId) }
      : {}),
    ...(inResources && group === 'Properties' && typeof property === 'string' ? { property } : {}),
    path: renderPath(typeof logicalId === 'string' ? segments.slice(2) : segments),
    rule: raw.Rule.Id,
    level: raw.Level,
    message: raw.Message,
  };
}
