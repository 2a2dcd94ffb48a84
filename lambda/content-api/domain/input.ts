import { BadRequestError } from '../../shared/errors';

/** Deepest nesting of arrays and objects a request body may have (the body itself is level 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * A NUL, or a UTF-16 surrogate that is not half of a pair: text PostgreSQL refuses
 * (`text` holds no NUL; `jsonb` refuses `\u0000` and lone surrogates) and no client
 * can have meant.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const ILL_FORMED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string is well-formed Unicode text without NUL. */
export const isWellFormedText = (s: string): boolean => !ILL_FORMED.test(s);

interface Node {
  readonly value: unknown;
  readonly depth: number;
  readonly parent?: Node;
  readonly key?: string | number;
}

/** Where a node is, as `fields.body[2].text`; built only for an error. */
function where(node: Node): string {
  const parts: string[] = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) {
    parts.unshift(typeof n.key === 'number' ? `[${n.key}]` : `.${n.key}`);
  }
  if (!parts.length) return 'the body';
  // The first few steps name the place; a path 64 levels long would drown the message.
  const shown = parts.slice(0, 6).join('').replace(/^\./, '');
  return parts.length > 6 ? `${shown}…` : shown;
}

/**
 * Checks a parsed JSON value at the boundary, before any schema or serializer sees
 * it: nesting at most `maxDepth` deep, and every string and object key well-formed
 * text. Iterative, so no input can exhaust the stack. Throws a 400 naming where.
 */
export function checkJsonValue(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const stack: Node[] = [{ value, depth: 0 }];
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (!isWellFormedText(v))
        throw new BadRequestError(
          `${where(node)}: strings must be well-formed Unicode without NUL`,
          'invalid_text',
        );
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const depth = node.depth + 1;
    if (depth > maxDepth) {
      throw new BadRequestError(
        `${where(node)}: nested deeper than ${maxDepth} levels`,
        'too_deep',
      );
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth, parent: node, key: i });
      continue;
    }
    for (const k of Object.keys(v)) {
      if (!isWellFormedText(k))
        throw new BadRequestError(
          `${where(node)}: keys must be well-formed Unicode without NUL`,
          'invalid_text',
        );
      stack.push({ value: (v as Record<string, unknown>)[k], depth, parent: node, key: k });
    }
  }
}

/** Checks the text of query values and path segments: well-formed, no NUL. */
export function checkText(values: Record<string, string>, what: string): void {
  for (const [name, v] of Object.entries(values)) {
    if (!isWellFormedText(name) || !isWellFormedText(v)) {
      throw new BadRequestError(
        `${what} ${isWellFormedText(name) ? `'${name}' ` : ''}must be well-formed Unicode without NUL`,
        'invalid_text',
      );
    }
  }
}

/** Largest value of a PostgreSQL `integer`, the type of entry versions. */
export const MAX_VERSION = 2_147_483_647;
