import * as fs from 'node:fs';
import { ResourceImpact, fullDiff } from '@aws-cdk/cloudformation-diff';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** Resource types whose replacement or deletion loses data or the means to read it. */
export const STATEFUL_TYPES = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
  'AWS::SecretsManager::Secret',
  'AWS::Logs::LogGroup',
  'AWS::EFS::FileSystem',
]);

/** Impacts that a stateful resource must never suffer without review. */
const DANGEROUS: Partial<Record<ResourceImpact, string>> = {
  [ResourceImpact.WILL_REPLACE]: 'would be replaced (a new, empty resource)',
  [ResourceImpact.MAY_REPLACE]: 'may be replaced (a new, empty resource)',
  [ResourceImpact.WILL_DESTROY]: 'would be deleted',
  [ResourceImpact.WILL_ORPHAN]:
    'would leave the stack (renamed or removed; CloudFormation stops managing it)',
};

/** One reviewed exception, from the allow-file. */
export interface AllowedChange {
  readonly stack: string;
  readonly logicalId: string;
  /** Why the change is safe, for the reviewer. */
  readonly reason: string;
}

/** A change the guard refuses. */
export interface Violation {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly cause: string;
}

interface Assembly {
  readonly stacks: Map<
    string,
    { template: Record<string, unknown>; terminationProtection: boolean }
  >;
}

/** Every stack of the cloud assembly at `dir`, by artifact id, read with the CDK's reader. */
function readAssembly(dir: string): Assembly {
  const assembly = new CloudAssembly(dir, { topoSort: false });
  return {
    stacks: new Map(
      assembly.stacks.map((s) => [
        s.id,
        {
          template: s.template as Record<string, unknown>,
          terminationProtection: s.terminationProtection === true,
        },
      ]),
    ),
  };
}

const resourcesOf = (template: Record<string, unknown>) =>
  (template.Resources ?? {}) as Record<string, { Type: string }>;

/**
 * Compares a synthesized assembly with a baseline (e.g. the target branch's) and
 * returns every change that would replace or delete a stateful resource, remove a
 * stack holding one, or drop a stack's termination protection; `allowed` lists
 * reviewed exceptions.
 */
export function checkStatefulChanges(
  baselineDir: string,
  currentDir: string,
  allowed: readonly AllowedChange[] = [],
): Violation[] {
  const baseline = readAssembly(baselineDir);
  const current = readAssembly(currentDir);
  const violations: Violation[] = [];
  for (const [stack, before] of baseline.stacks) {
    const after = current.stacks.get(stack);
    if (!after) {
      for (const [logicalId, r] of Object.entries(resourcesOf(before.template))) {
        if (STATEFUL_TYPES.has(r.Type))
          violations.push({ stack, logicalId, type: r.Type, cause: 'its stack would be removed' });
      }
      continue;
    }
    if (before.terminationProtection && !after.terminationProtection) {
      violations.push({
        stack,
        logicalId: '-',
        type: 'AWS::CloudFormation::Stack',
        cause: 'would lose termination protection',
      });
    }
    fullDiff(before.template, after.template).resources.forEachDifference((logicalId, change) => {
      const type = change.oldResourceType ?? change.resourceType;
      const cause = DANGEROUS[change.changeImpact];
      if (type && STATEFUL_TYPES.has(type) && cause && !change.isAddition) {
        violations.push({ stack, logicalId, type, cause });
      }
    });
  }
  return violations.filter(
    (v) => !allowed.some((a) => a.stack === v.stack && a.logicalId === v.logicalId),
  );
}

/** Reads and checks an allow-file: a JSON array of `{ stack, logicalId, reason }`. */
export function readAllowFile(file: string): AllowedChange[] {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(value))
    throw new Error(`${file}: must be a JSON array of { stack, logicalId, reason }`);
  return value.map((v, i) => {
    const { stack, logicalId, reason } = (v ?? {}) as Record<string, unknown>;
    if (
      typeof stack !== 'string' ||
      typeof logicalId !== 'string' ||
      typeof reason !== 'string' ||
      reason.trim().length < 10
    ) {
      throw new Error(
        `${file}[${i}]: needs stack, logicalId and a reason of at least 10 characters`,
      );
    }
    return { stack, logicalId, reason };
  });
}
