/**
 * A deployed stage's stacks as mocked CloudFormation and STS describe them to `npm run
 * drift`, with payloads shaped as the CloudFormation API Reference documents
 * DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts, and
 * an in-process runner of the command. Every stack is in sync unless a test says
 * otherwise. Nothing reaches AWS.
 */
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackDriftDetectionStatusCommand,
  type DescribeStackDriftDetectionStatusOutput,
  DescribeStackResourceDriftsCommand,
  type DescribeStackResourceDriftsCommandOutput,
  DetectStackDriftCommand,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { type StageStack, stageStacks } from '../../lib/stage-layout';
import { invoke } from '../../scripts/lib/cli';
import { driftClients } from '../../scripts/lib/drift/clients';
import type { ResourceDrift } from '../../scripts/lib/drift/detect';
import { type DriftOptions, driftCommand } from '../../scripts/lib/drift/run';
import { projectStage } from '../../scripts/lib/project-stages';
import type { CheckResult } from '../../scripts/lib/verify/types';

// No real AWS: the documented example keys, no instance metadata.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
delete process.env.AWS_PROFILE;

/** The environment of a run: the documented example keys, no instance metadata. */
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** CloudFormation and STS, mocked for every client instance in any region. */
export const cfn = mockClient(CloudFormationClient);
export const sts = mockClient(STSClient);

/** The stage of the world: staging as cdk.json configures it. */
export const cfg = projectStage('staging');
/** Its stacks, each in its region. */
export const STACKS = stageStacks(cfg);
/** The stack named `name`. */
export const stackNamed = (name: string) => STACKS.find((s) => s.name === name)!;
/** When every detection and drift happened. */
export const TIMESTAMP = new Date('2026-12-03T06:00:00.000Z');

/** Response metadata of every answer. */
export const metadata = {
  httpStatusCode: 200,
  requestId: 'b1c2d3e4-5f60-4a7b-8c9d-EXAMPLE00000',
  attempts: 1,
  totalRetryDelay: 0,
};

/** The stack id (ARN) of `s`. */
export const stackId = (s: StageStack) =>
  `arn:aws:cloudformation:${s.region}:${cfg.account}:stack/${s.name}/5b1c0d10-df86-11ea-bf6a-0a3d2f0f${String(STACKS.indexOf(s)).padStart(4, '0')}`;
/** The id of the drift detection of `s`. */
export const detectionId = (s: StageStack) =>
  `2f2b2d60-df86-11ea-bf6a-0a3d2f0f${String(STACKS.indexOf(s)).padStart(4, '0')}`;

/** CloudFormation's error for a stack that does not exist. */
export const missingStack = (name: string) =>
  new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { ...metadata, httpStatusCode: 400 },
    message: `Stack with id ${name} does not exist`,
  });

/** CloudFormation's refusal of DetectStackDrift on `s` to the read-only role. */
export const accessDenied = (s: StageStack) =>
  new CloudFormationServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { ...metadata, httpStatusCode: 403 },
    message: `User: arn:aws:sts::${cfg.account}:assumed-role/BulwarkReadOnly/alice is not authorized to perform: cloudformation:DetectStackDrift on resource: ${stackId(s)} because no identity-based policy allows the cloudformation:DetectStackDrift action`,
  });

/** One stack as the mocked CloudFormation answers for it. */
export interface StackAnswer {
  /** DetectStackDrift throws this instead of starting a detection. */
  detectError?: Error;
  /** The detection's status reads, in order; the last one repeats. */
  statuses: Array<Partial<DescribeStackDriftDetectionStatusOutput>>;
  /** The pages of DescribeStackResourceDrifts (modified and deleted resources). */
  pages: StackResourceDrift[][];
}

/** A stack whose detection completes in sync. */
export const inSync = (): StackAnswer => ({
  statuses: [{ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' }],
  pages: [[]],
});

/** A stack whose detection completes with these drifted resources, page by page. */
export const drifted = (...pages: StackResourceDrift[][]): StackAnswer => ({
  statuses: [
    {
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'DRIFTED',
      DriftedStackResourceCount: pages.flat().length,
    },
  ],
  pages,
});

/** A resource drift as DescribeStackResourceDrifts lists it. */
export function resourceDrift(
  s: StageStack,
  logicalId: string,
  type: string,
  status: 'MODIFIED' | 'DELETED',
  differences: Array<{
    PropertyPath: string;
    ExpectedValue: string;
    ActualValue: string;
    DifferenceType: 'ADD' | 'REMOVE' | 'NOT_EQUAL';
  }> = [],
): StackResourceDrift {
  return {
    StackId: stackId(s),
    LogicalResourceId: logicalId,
    PhysicalResourceId: `${s.name.toLowerCase()}-${logicalId.toLowerCase()}-1a2b3c4d5e6f`,
    ResourceType: type,
    ExpectedProperties: '{"BucketName":"expected"}',
    ActualProperties: status === 'DELETED' ? undefined : '{"BucketName":"actual"}',
    PropertyDifferences: status === 'DELETED' ? undefined : differences,
    StackResourceDriftStatus: status,
    Timestamp: TIMESTAMP,
  };
}

/**
 * Points the mocked clients at `answers` (every stack in sync unless given); `most` is
 * the largest number of detections that were running at once.
 */
export function answerWith(
  answers: Partial<Record<string, StackAnswer>> = {},
  account: string = cfg.account,
) {
  cfn.reset();
  sts.reset();
  const answerOf = (name: string) => answers[name] ?? inSync();
  const reads = new Map<string, number>();
  let running = 0;
  let most = 0;
  sts.on(GetCallerIdentityCommand).resolves({
    $metadata: metadata,
    UserId: 'AROA3XFRBF535PLBIFPI4:alice',
    Account: account,
    Arn: `arn:aws:sts::${account}:assumed-role/BulwarkReadOnly/alice`,
  });
  cfn.on(DetectStackDriftCommand).callsFake(async (input: { StackName: string }) => {
    const s = STACKS.find((x) => x.name === input.StackName);
    if (!s) throw missingStack(input.StackName);
    const answer = answerOf(s.name);
    if (answer.detectError) throw answer.detectError;
    reads.set(s.name, 0);
    running += 1;
    most = Math.max(most, running);
    return { $metadata: metadata, StackDriftDetectionId: detectionId(s) };
  });
  cfn
    .on(DescribeStackDriftDetectionStatusCommand)
    .callsFake(async (input: { StackDriftDetectionId: string }) => {
      const s = STACKS.find((x) => detectionId(x) === input.StackDriftDetectionId)!;
      const { statuses } = answerOf(s.name);
      const n = reads.get(s.name)!;
      reads.set(s.name, n + 1);
      const status = statuses[Math.min(n, statuses.length - 1)];
      if (status.DetectionStatus !== 'DETECTION_IN_PROGRESS') running -= 1;
      return {
        $metadata: metadata,
        StackId: stackId(s),
        StackDriftDetectionId: detectionId(s),
        DriftedStackResourceCount: 0,
        Timestamp: TIMESTAMP,
        ...status,
      };
    });
  cfn
    .on(DescribeStackResourceDriftsCommand)
    .callsFake(
      async (input: {
        StackName: string;
        NextToken?: string;
      }): Promise<DescribeStackResourceDriftsCommandOutput> => {
        const { pages } = answerOf(input.StackName);
        const page = input.NextToken ? Number(input.NextToken.split('-')[1]) : 0;
        return {
          $metadata: metadata,
          StackResourceDrifts: pages[page] ?? [],
          ...(page + 1 < pages.length ? { NextToken: `page-${page + 1}` } : {}),
        };
      },
    );
  return { most: () => most };
}

/** What one run printed and returned, and each pause it asked for. */
export interface DriftRun {
  code: number;
  stdout: string;
  stderr: string;
  sleeps: number[];
}

/** Runs `npm run drift` in-process with a clock that advances only when it sleeps. */
export async function drift(
  argv: readonly string[],
  { env = FAKE_CREDENTIALS, ...options }: DriftOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<DriftRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sleeps: number[] = [];
  let clock = 0;
  const clients = driftClients();
  try {
    const code = await invoke(
      driftCommand({
        clients,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
          await new Promise((resolve) => setImmediate(resolve));
        },
        ...options,
      }),
      argv,
      { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env },
    );
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n'), sleeps };
  } finally {
    clients.destroy();
  }
}

/** The `--json` output of a run. */
export const parsed = (run: DriftRun) =>
  JSON.parse(run.stdout) as { results: CheckResult[]; drifts: ResourceDrift[] };
