import { Logger } from '@aws-lambda-powertools/logger';
import {
  type CloudWatchClient,
  PutMetricDataCommand,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env';
import { type ExportResult, exportDatabase } from './export';
import { manifestTotals } from './manifest';
import type { ExportOptions } from './export';
import { BackupTooLargeError, TASK_ADVICE, preflight } from './preflight';
import type { ManifestSigner } from './signing';
import { BACKUP_METRICS_NAMESPACE, BACKUP_SERVICE_NAME } from './telemetry';

/** Attempts of one run, like the Lambda's (one invocation and two retries). */
export const TASK_ATTEMPTS = 3;

/** What the export task runs with: its settings and its clients. */
export interface ExportTaskDeps {
  /** The task's environment (see {@link taskSettings}). */
  readonly env: NodeJS.ProcessEnv;
  /** Opens a connection to the content database (one per worker). */
  readonly connect: ExportOptions['connect'];
  readonly s3: S3Client;
  readonly signer: ManifestSigner;
  /** Publishes the run's metrics (the Lambda's go through its logs instead). */
  readonly cloudWatch: CloudWatchClient;
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Waits between attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Pause between attempts. @default 60 s */
  readonly retryDelayMs?: number;
}

/** The task's settings, from its environment (the task definition sets them). */
export function taskSettings(env: NodeJS.ProcessEnv) {
  const positive = (name: string) => {
    const value = Number(requireEnv(env, name));
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(env[name])}`);
    return value;
  };
  return {
    bucket: requireEnv(env, 'BACKUP_BUCKET'),
    prefix: requireEnv(env, 'BACKUP_PREFIX'),
    stage: requireEnv(env, 'STAGE'),
    kmsKeyId: requireEnv(env, 'BACKUP_KEY_ARN'),
    signingKeyArn: requireEnv(env, 'BACKUP_SIGNING_KEY_ARN'),
    /** Connections exporting at once: more where the task has more vCPUs. */
    workers: positive('BACKUP_WORKERS'),
    /** The run stops itself after this many minutes (`backup.timeoutMinutes`). */
    deadlineMinutes: positive('BACKUP_DEADLINE_MINUTES'),
  };
}

/**
 * The nightly export as an ECS Fargate task (`backup.runner: "fargate"`): the same
 * {@link exportDatabase} as the Lambda, with the task's workers, a deadline of its own
 * (the pre-flight check refuses a database that would not fit in half of what is left),
 * and up to {@link TASK_ATTEMPTS} attempts, as the Lambda has with its retries. On
 * success it publishes `BackupSucceeded`, bytes, rows and seconds with PutMetricData
 * (the freshness alarm's metric); after the last failed attempt, `BackupFailed`.
 * Returns the process's exit code: 0 when a backup was written, 1 when every attempt
 * failed or the run was refused.
 */
export async function runExportTask(deps: ExportTaskDeps): Promise<number> {
  const logger = deps.logger ?? new Logger({ serviceName: BACKUP_SERVICE_NAME });
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let settings: ReturnType<typeof taskSettings>;
  try {
    settings = taskSettings(deps.env);
  } catch (err) {
    logger.error('Backup task misconfigured', { error: (err as Error).message });
    return 1;
  }
  const started = now();
  const deadline = started + settings.deadlineMinutes * 60_000;
  for (let attempt = 1; attempt <= TASK_ATTEMPTS; attempt++) {
    try {
      const result = await exportOnce(deps, settings, deadline, now, logger);
      const totals = manifestTotals(result.manifest);
      const seconds = (now() - started) / 1000;
      await putMetrics(deps.cloudWatch, [
        ['BackupSucceeded', StandardUnit.Count, 1],
        ['BackupBytes', StandardUnit.Bytes, totals.bytes],
        ['BackupRows', StandardUnit.Count, totals.rows],
        ['BackupSeconds', StandardUnit.Seconds, seconds],
      ]);
      logger.info('Backup written', {
        manifestKey: result.manifestKey,
        ...totals,
        seconds,
        workers: result.workers,
        attempt,
      });
      return 0;
    } catch (err) {
      const last = attempt === TASK_ATTEMPTS || err instanceof BackupTooLargeError;
      logger.error(last ? 'Backup failed' : 'Backup attempt failed; retrying', {
        attempt,
        error: err instanceof Error ? err.message : String(err),
      });
      if (last) {
        // Pages at once (the Lambda's failures page through its dead-letter queue). If it
        // cannot be published, the freshness alarm still pages.
        await putMetrics(deps.cloudWatch, [['BackupFailed', StandardUnit.Count, 1]]).catch(
          (e: Error) => logger.error('BackupFailed could not be published', { error: e.message }),
        );
        return 1;
      }
      await sleep(deps.retryDelayMs ?? 60_000);
    }
  }
  return 1;
}

/** One attempt, given up with an error when the deadline passes. */
async function exportOnce(
  deps: ExportTaskDeps,
  s: ReturnType<typeof taskSettings>,
  deadline: number,
  now: () => number,
  logger: Logger,
): Promise<ExportResult> {
  const remainingMs = deadline - now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BackupTooLargeError(
            `The export did not finish within backup.timeoutMinutes (${s.deadlineMinutes} min). ${TASK_ADVICE}`,
          ),
        ),
      Math.max(0, remainingMs),
    );
  });
  try {
    return await Promise.race([
      exportDatabase({
        connect: deps.connect,
        s3: deps.s3,
        bucket: s.bucket,
        prefix: s.prefix,
        stage: s.stage,
        kmsKeyId: s.kmsKeyId,
        signer: deps.signer,
        // The vault is versioned: every object's version goes into the signed manifest.
        requireVersionIds: true,
        parallelism: s.workers,
        beforeExport: (databaseBytes) => {
          const remaining = (deadline - now()) / 1000;
          const { estimatedSeconds } = preflight(databaseBytes, remaining, undefined, TASK_ADVICE);
          logger.info('Backup starting', { databaseBytes, estimatedSeconds, workers: s.workers });
        },
      }),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The run's metrics with PutMetricData, in the namespace and with the `service`
 * dimension the Lambda's carry: the freshness and failure alarms read either runner's.
 */
async function putMetrics(
  cloudWatch: CloudWatchClient,
  data: readonly (readonly [name: string, unit: StandardUnit, value: number])[],
): Promise<void> {
  const Dimensions = [{ Name: 'service', Value: BACKUP_SERVICE_NAME }];
  await cloudWatch.send(
    new PutMetricDataCommand({
      Namespace: BACKUP_METRICS_NAMESPACE,
      MetricData: data.map(([MetricName, Unit, Value]) => ({
        MetricName,
        Unit,
        Value,
        Dimensions,
      })),
    }),
  );
}
