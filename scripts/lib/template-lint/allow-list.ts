import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Finding, type Result, fail, ok } from './types';

/** The reviewed allow-list of the project. */
export const ALLOW_LIST_FILE = path.join(
  __dirname,
  '..',
  '..',
  '..',
  '.github',
  'cfn-lint-allowed.json',
);

/** The only rule an entry may name: a property the bundled resource schema does not know. */
export const SCHEMA_LAG_RULE = 'E3002';

/** Shortest reason an entry may give. */
export const MIN_REASON_LENGTH = 40;

/** Where an entry's document must live. */
export const DOCUMENT_PREFIX = 'https://docs.aws.amazon.com/';

/**
 * One reviewed case of resource-schema lag: a property that the CloudFormation resource
 * schema bundled with cfn-lint lacks although CloudFormation accepts it.
 */
export interface AllowEntry {
  /** Always {@link SCHEMA_LAG_RULE}. */
  readonly rule: string;
  /** The resource type, e.g. `AWS::ElasticLoadBalancingV2::Listener`. */
  readonly resourceType: string;
  /** The top-level property cfn-lint rejects, e.g. `Tags`. */
  readonly property: string;
  /** Why the finding is schema lag, for the reviewer. */
  readonly reason: string;
  /** The AWS CloudFormation page of the resource type that documents the property. */
  readonly document: string;
}

const KEYS = ['rule', 'resourceType', 'property', 'reason', 'document'] as const;
const RESOURCE_TYPE = /^([A-Za-z0-9]+)::([A-Za-z0-9]+)::([A-Za-z0-9]+)$/;

/**
 * The file name of the AWS CloudFormation reference page of a resource type, e.g.
 * `aws-resource-elasticloadbalancingv2-listener.html` for
 * `AWS::ElasticLoadBalancingV2::Listener`.
 */
export function resourcePage(resourceType: string): string | undefined {
  const m = RESOURCE_TYPE.exec(resourceType);
  return m ? `aws-resource-${m[2]}-${m[3]}.html`.toLowerCase() : undefined;
}

/** The path of a URL, or '' when it is not one. */
function pathnameOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** What is wrong with one entry, or undefined when it is well-formed. */
function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `must be an object with ${KEYS.join(', ')}`;
  }
  const entry = value as Record<string, unknown>;
  const unknown = Object.keys(entry).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) return `has unknown key(s) ${unknown.join(', ')}`;
  const missing = KEYS.filter((k) => typeof entry[k] !== 'string');
  if (missing.length > 0) return `needs ${missing.join(', ')} (strings)`;
  const { rule, resourceType, property, reason, document } = entry as Record<string, string>;
  if (rule !== SCHEMA_LAG_RULE) {
    return (
      `rule is ${rule}, but only ${SCHEMA_LAG_RULE} may be allowed: the list holds only ` +
      "properties missing from cfn-lint's bundled resource schemas"
    );
  }
  const page = resourcePage(resourceType);
  if (!page) return `resourceType ${resourceType} is not of the form AWS::Service::Type`;
  if (!/^[A-Za-z0-9]+$/.test(property)) {
    return `property ${property} must be one top-level property name, e.g. Tags`;
  }
  if (reason.trim().length < MIN_REASON_LENGTH) {
    return `reason must say why this is schema lag in at least ${MIN_REASON_LENGTH} characters`;
  }
  if (!document.startsWith(DOCUMENT_PREFIX)) {
    return `document must be an AWS documentation URL starting with ${DOCUMENT_PREFIX}`;
  }
  if (!pathnameOf(document).toLowerCase().endsWith(`/${page}`)) {
    return `document must be the CloudFormation page of ${resourceType} (…/${page})`;
  }
  return undefined;
}

/**
 * The entries of an allow-list file's text (a JSON array of {@link AllowEntry}). Fails
 * naming the first malformed or duplicated entry.
 */
export function parseAllowList(text: string, source: string): Result<AllowEntry[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) {
    return fail(`${source} must be a JSON array of { ${KEYS.join(', ')} }`);
  }
  const seen = new Set<string>();
  for (const [i, entry] of value.entries()) {
    const problem = entryProblem(entry);
    if (problem) return fail(`${source}[${i}] ${problem}`);
    const key = describeEntry(entry as AllowEntry);
    if (seen.has(key)) return fail(`${source}[${i}] repeats ${key}`);
    seen.add(key);
  }
  return ok(value as AllowEntry[]);
}

/** The allow-list file's entries; fails when it cannot be read or is malformed. */
export function readAllowList(file: string = ALLOW_LIST_FILE): Result<AllowEntry[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`Cannot read the allow-list ${file}: ${(err as Error).message}`);
  }
  return parseAllowList(text, path.relative(process.cwd(), file) || file);
}

/** An entry in one line: rule, resource type and property. */
export function describeEntry(entry: AllowEntry): string {
  return `${entry.rule} ${entry.resourceType} ${entry.property}`;
}

/** Whether an entry accepts a finding: same rule, resource `Type` and top-level property. */
export function entryMatches(entry: AllowEntry, finding: Finding): boolean {
  return (
    finding.level === 'Error' &&
    finding.rule === entry.rule &&
    finding.resourceType === entry.resourceType &&
    finding.property === entry.property
  );
}

/** The findings of a lint, sorted out by the allow-list. */
export interface Judgement {
  /** Error-level findings no entry accepts: these fail the lint. */
  readonly errors: readonly Finding[];
  /** Error-level findings an entry accepts, with that entry. */
  readonly allowed: readonly { readonly finding: Finding; readonly entry: AllowEntry }[];
  /** Warning-level findings: reported, never failing. */
  readonly warnings: readonly Finding[];
  /** Entries that accept no finding: these fail the lint, so the list only shrinks. */
  readonly stale: readonly AllowEntry[];
}

/** Sorts findings into errors, allowed schema lag and warnings, and finds stale entries. */
export function judge(findings: readonly Finding[], entries: readonly AllowEntry[]): Judgement {
  const errors: Finding[] = [];
  const allowed: { finding: Finding; entry: AllowEntry }[] = [];
  const warnings: Finding[] = [];
  const used = new Set<AllowEntry>();
  for (const finding of findings) {
    if (finding.level === 'Warning') {
      warnings.push(finding);
      continue;
    }
    if (finding.level !== 'Error') continue;
    const entry = entries.find((e) => entryMatches(e, finding));
    if (entry) {
      allowed.push({ finding, entry });
      used.add(entry);
    } else {
      errors.push(finding);
    }
  }
  return { errors, allowed, warnings, stale: entries.filter((e) => !used.has(e)) };
}
