/** Keys of a stage's config written dotted, as `ConfigError` prints them (`database.readReplicas`). */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object';

/** The value at a dotted key, or `undefined` where the path ends early. */
export function valueAtKey(root: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), root);
}

/**
 * A deep copy of `root` with the dotted `key` set to `value`. Every object on the way
 * must exist (only the last part may be new), so a mistyped key fails here.
 */
export function withKey<T>(root: T, key: string, value: unknown): T {
  const copy = structuredClone(root);
  const parts = key.split('.');
  const parent = parts.slice(0, -1).reduce<unknown>((node, part) => {
    const next = isObject(node) ? node[part] : undefined;
    if (!isObject(next)) throw new Error(`${key}: no object at ${part}`);
    return next;
  }, copy);
  (parent as Json)[parts[parts.length - 1]] = value;
  return copy;
}
