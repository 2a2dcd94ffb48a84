import {
  type CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  type DescribeStackDriftDetectionStatusOutput,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import type { StageStack } from '../../../lib/stage-layout';
import { isMissingStack } from '../stack-state';
import { type CheckResult, errorEvidence, failWithFix, fail, pass } from '../verify/types';

/** The control drift detection gives evidence for: the live stack is what was deployed. */
export const DRIFT_CONTROL = 'SDLC-CHANGE';

/** How long to wait between two reads of a detection's status, by default. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000;
/** How long one stack's detection may take before it is a failure, by default. */
export const DEFAULT_TIMEOUT_MS = 15 * 60_000;

/** The longest value of a property difference the text output shows. */
const VALUE_LIMIT = 120;

/** How one detection waits: between status reads, and for how long at most. */
export interface DetectOptions {
  /** @default 5 s */
  readonly pollIntervalMs?: number;
  /** @default 15 min */
  readonly timeoutMs?: number;
  /** Waits `ms` milliseconds. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The time, in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Whether to give up waiting (another stack showed the stage cannot be checked). */
  readonly stopped?: () => boolean;
}

/** One difference between a resource's expected and actual properties. */
export interface PropertyDifference {
  /** JSON pointer of the property, e.g. `/BucketEncryption/ServerSideEncryptionConfiguration/0`. */
  readonly path: string;
  /** `ADD`, `REMOVE` or `NOT_EQUAL`. */
  readonly type: string;
  readonly expected: string;
  readonly actual: string;
}

/** A resource of a stack that is not what its template says: modified or deleted. */
export interface ResourceDrift {
  /** The stack name. */
  readonly stack: string;
  readonly region: string;
  readonly logicalId: string;
  /** The resource type, e.g. `AWS::S3::Bucket`. */
  readonly type: string;
  /** `MODIFIED` or `DELETED`. */
  readonly status: string;
  readonly differences: readonly PropertyDifference[];
}

/** What a stack's drift detection came to. */
export type Detection =
  /** The stack does not exist. */
  | { readonly kind: 'missing' }
  /** Detection ended (complete, or failed for some resources): its status and drifts. */
  | {
      readonly kind: 'finished';
      readonly detectionStatus: string;
      readonly driftStatus: string;
      readonly reason?: string;
      readonly driftedCount: number;
      readonly drifts: readonly ResourceDrift[];
    }
  /** Detection was still running when the wait ended. */
  | { readonly kind: 'timed-out'; readonly detectionId: string; readonly waitedMs: number }
  /** Waiting was given up because the stage cannot be checked. */
  | { readonly kind: 'stopped' }
  /** A call failed (AccessDenied, throttling after retries, ...). */
  | { readonly kind: 'error'; readonly error: unknown };

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Detects the drift of one stack in its region: DetectStackDrift, then
 * DescribeStackDriftDetectionStatus until the detection ends or `timeoutMs` passes,
 * then, when resources drifted, every page of DescribeStackResourceDrifts (modified and
 * deleted resources). Never throws: a failed call is an `error` detection.
 */
export async function detectStackDrift(
  cloudFormation: CloudFormationClient,
  stack: StageStack,
  options: DetectOptions = {},
): Promise<Detection> {
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? timer;
  const now = options.now ?? Date.now;
  const stopped = options.stopped ?? (() => false);

  let detectionId: string | undefined;
  try {
    const started = await cloudFormation.send(
      new DetectStackDriftCommand({ StackName: stack.name }),
    );
    detectionId = started.StackDriftDetectionId;
  } catch (err) {
    return isMissingStack(err) ? { kind: 'missing' } : { kind: 'error', error: err };
  }
  if (!detectionId) {
    return {
      kind: 'error',
      error: new Error('DetectStackDrift returned no StackDriftDetectionId'),
    };
  }

  try {
    const start = now();
    let status: DescribeStackDriftDetectionStatusOutput;
    for (;;) {
      status = await cloudFormation.send(
        new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: detectionId }),
      );
      if (status.DetectionStatus !== 'DETECTION_IN_PROGRESS') break;
      const waited = now() - start;
      if (waited >= timeout) return { kind: 'timed-out', detectionId, waitedMs: waited };
      if (stopped()) return { kind: 'stopped' };
      await sleep(Math.min(interval, timeout - waited));
    }
    const driftStatus = status.StackDriftStatus ?? 'UNKNOWN';
    const driftedCount = status.DriftedStackResourceCount ?? 0;
    const drifted =
      driftStatus === 'DRIFTED' ||
      (status.DetectionStatus === 'DETECTION_FAILED' && driftedCount > 0);
    return {
      kind: 'finished',
      detectionStatus: status.DetectionStatus ?? 'UNKNOWN',
      driftStatus,
      ...(status.DetectionStatusReason ? { reason: status.DetectionStatusReason } : {}),
      driftedCount,
      drifts: drifted ? await readResourceDrifts(cloudFormation, stack) : [],
    };
  } catch (err) {
    return { kind: 'error', error: err };
  }
}

/** Every modified or deleted resource of the stack's last detection, across all pages. */
export async function readResourceDrifts(
  cloudFormation: CloudFormationClient,
  stack: StageStack,
): Promise<ResourceDrift[]> {
  const drifts: ResourceDrift[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudFormation.send(
      new DescribeStackResourceDriftsCommand({
        StackName: stack.name,
        StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
        NextToken: nextToken,
      }),
    );
    drifts.push(...(page.StackResourceDrifts ?? []).map((d) => resourceDrift(stack, d)));
    nextToken = page.NextToken;
  } while (nextToken);
  return drifts;
}

function resourceDrift(stack: StageStack, d: StackResourceDrift): ResourceDrift {
  return {
    stack: stack.name,
    region: stack.region,
    logicalId: d.LogicalResourceId ?? '?',
    type: d.ResourceType ?? '?',
    status: d.StackResourceDriftStatus ?? '?',
    differences: (d.PropertyDifferences ?? []).map((p) => ({
      path: p.PropertyPath ?? '',
      type: p.DifferenceType ?? '',
      expected: p.ExpectedValue ?? '',
      actual: p.ActualValue ?? '',
    })),
  };
}

/** What to do about a drifted stack. */
export const DRIFT_FIX =
  'redeploy the stack through the deploy workflow to restore its template, or bring the change into the code and deploy it';

/** The check of one stack, as the report names it. */
export const driftCheck = (stack: StageStack) =>
  `${stack.name} (${stack.region}) matches its template`;

/** A resource and the paths of its differing properties, for evidence. */
function describeDrift(d: ResourceDrift): string {
  const paths = d.differences.map((p) => p.path).join(', ');
  return `${d.logicalId} (${d.type}) ${d.status}${paths ? `: ${paths}` : ''}`;
}

/**
 * The report line of one stack's detection: PASS when it completed in sync, FAIL when
 * resources drifted, detection failed or timed out, or a call failed. A missing or
 * stopped detection has no line (the stage cannot be checked).
 */
export function driftResult(stack: StageStack, detection: Detection): CheckResult | undefined {
  const check = driftCheck(stack);
  switch (detection.kind) {
    case 'missing':
    case 'stopped':
      return undefined;
    case 'error':
      return fail(DRIFT_CONTROL, check, errorEvidence(detection.error));
    case 'timed-out':
      return failWithFix(
        DRIFT_CONTROL,
        check,
        `detection ${detection.detectionId} still in progress after ${Math.round(detection.waitedMs / 1000)} s`,
        'run the drift detection again, or follow it in the CloudFormation console (Stack actions, Detect drift)',
      );
    case 'finished': {
      const { detectionStatus, driftStatus, reason, drifts } = detection;
      const listed = drifts.length > 0 ? `; ${drifts.map(describeDrift).join('; ')}` : '';
      if (detectionStatus === 'DETECTION_FAILED') {
        return failWithFix(
          DRIFT_CONTROL,
          check,
          `detection failed (${driftStatus}): ${reason ?? 'no reason given'}${listed}`,
          drifts.length > 0
            ? DRIFT_FIX
            : 'give the credentials read access to every resource type of the stack, then run the detection again',
        );
      }
      if (driftStatus === 'IN_SYNC') {
        return pass(DRIFT_CONTROL, check, 'IN_SYNC: no resource modified or deleted');
      }
      if (driftStatus === 'DRIFTED') {
        const count = drifts.length || detection.driftedCount;
        return failWithFix(
          DRIFT_CONTROL,
          check,
          `DRIFTED: ${count} resource${count === 1 ? '' : 's'}${listed}`,
          DRIFT_FIX,
        );
      }
      return fail(DRIFT_CONTROL, check, `drift status ${driftStatus} after ${detectionStatus}`);
    }
  }
}

/** `value` cut to {@link VALUE_LIMIT} characters. */
export function shortValue(value: string): string {
  return value.length > VALUE_LIMIT ? `${value.slice(0, VALUE_LIMIT - 3)}...` : value;
}

/**
 * The drifted resources, one line per property difference (one line for a resource
 * without differences, such as a deleted one).
 */
export function formatDrifts(drifts: readonly ResourceDrift[]): string {
  return drifts
    .flatMap((d) => {
      const resource = `${d.stack} (${d.region}) ${d.logicalId} ${d.type} ${d.status}`;
      if (d.differences.length === 0) return [resource];
      return d.differences.map(
        (p) =>
          `${resource} ${p.path} ${p.type}: ${shortValue(p.expected) || '(none)'} -> ${shortValue(p.actual) || '(none)'}`,
      );
    })
    .join('\n');
}
