/**
 * Readable HTML for the template values a claim was judged on. The report holds each
 * value as JSON text, shortened to 160 characters; parsed values render as names and
 * values, shortened ones as the text they are.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export const esc = (text: string): string => text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** `{"Ref": "X"}` and `{"Fn::GetAtt": ["X", "Arn"]}` as CloudFormation writes them in YAML. */
function intrinsic(v: Record<string, unknown>): string | undefined {
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const arg = v[keys[0]!];
  if (keys[0] === 'Ref' && typeof arg === 'string') return `!Ref ${arg}`;
  if (
    keys[0] === 'Fn::GetAtt' &&
    Array.isArray(arg) &&
    arg.every((a): a is string => typeof a === 'string')
  )
    return `!GetAtt ${arg.join('.')}`;
  return undefined;
}

/** One parsed JSON value, compactly: strings plain, lists and objects as nested lists. */
export function jsonHtml(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '<i>empty text</i>' : esc(v);
  if (isScalar(v)) return `<code>${esc(String(v))}</code>`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '<i>empty list</i>';
    if (v.every(isScalar))
      return `<span class="list">${v.map((x) => `<span>${jsonHtml(x)}</span>`).join(', ')}</span>`;
    return `<ol class="list${v.length === 1 ? ' one' : ''}">${v.map((x) => `<li>${jsonHtml(x)}</li>`).join('')}</ol>`;
  }
  const o = v as Record<string, unknown>;
  const ref = intrinsic(o);
  if (ref !== undefined) return `<code>${esc(ref)}</code>`;
  const entries = Object.entries(o);
  if (entries.length === 0) return '<i>empty object</i>';
  return `<ul class="obj">${entries
    .map(([k, x]) => `<li><span class="k">${esc(k)}</span> ${jsonHtml(x)}</li>`)
    .join('')}</ul>`;
}

/** One judged value, given as the report's JSON text (`undefined` when the property is absent). */
export function valueHtml(text: string): string {
  if (text === 'undefined') return '<i>not set</i>';
  try {
    return jsonHtml(JSON.parse(text));
  } catch {
    // Shortened JSON no longer parses: kept as it is, marked.
    return `<code class="shortened" title="shortened to 160 characters">${esc(text)}</code>`;
  }
}

/** The values a claim was judged on, as a name/value list. */
export function propertiesHtml(properties: Record<string, string>): string {
  const entries = Object.entries(properties);
  if (entries.length === 0) return '<i>no template value read</i>';
  return `<dl class="values">${entries
    .map(([name, value]) => `<dt>${esc(name)}</dt><dd>${valueHtml(value)}</dd>`)
    .join('')}</dl>`;
}
