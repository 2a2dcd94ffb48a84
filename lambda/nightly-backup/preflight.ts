/** Export throughput assumed by the pre-flight check, in MB/s (`npm run bench:backup`). */
export const ASSUMED_EXPORT_MBPS = 40;

/** The database is too large for one Lambda invocation. */
export class BackupTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupTooLargeError';
  }
}

/** What the refusal tells the Lambda's operator: the Fargate runner has hours. */
export const LAMBDA_ADVICE =
  'Set backup.runner to "fargate" (README "Large databases"): the export then runs as an ECS Fargate task for up to backup.timeoutMinutes (at most 1440).';

/** What the refusal tells the Fargate task's operator. */
export const TASK_ADVICE =
  'Raise backup.timeoutMinutes (at most 1440), or backup.cpu and backup.memoryMiB for more workers.';

/**
 * Refuses to start an export that would not finish within half the time left
 * (`remainingSeconds`), so that it fails loudly with the reason and `advice` at once
 * instead of being killed at the Lambda timeout or the task's deadline.
 */
export function preflight(
  databaseBytes: number,
  remainingSeconds: number,
  mbps = ASSUMED_EXPORT_MBPS,
  advice = LAMBDA_ADVICE,
): { estimatedSeconds: number } {
  const estimatedSeconds = Math.ceil(databaseBytes / (mbps * 1024 * 1024));
  if (estimatedSeconds > remainingSeconds / 2) {
    const gib = (databaseBytes / 1024 ** 3).toFixed(1);
    throw new BackupTooLargeError(
      `The database holds ${gib} GiB; at ${mbps} MB/s the export needs about ${Math.ceil(estimatedSeconds / 60)} min, more than half of the ${Math.floor(remainingSeconds / 60)} min this run has. ${advice}`,
    );
  }
  return { estimatedSeconds };
}
