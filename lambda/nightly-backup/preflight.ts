/** Export throughput assumed by the pre-flight check, in MB/s (`npm run bench:backup`). */
export const ASSUMED_EXPORT_MBPS = 40;

/** The database is too large for one Lambda invocation. */
export class BackupTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupTooLargeError';
  }
}

/**
 * Refuses to start an export that would not finish within half the time left
 * (`remainingSeconds`), so that it fails loudly with the reason at once instead of
 * being killed at the Lambda timeout.
 */
export function preflight(
  databaseBytes: number,
  remainingSeconds: number,
  mbps = ASSUMED_EXPORT_MBPS,
): { estimatedSeconds: number } {
  const estimatedSeconds = Math.ceil(databaseBytes / (mbps * 1024 * 1024));
  if (estimatedSeconds > remainingSeconds / 2) {
    const gib = (databaseBytes / 1024 ** 3).toFixed(1);
    throw new BackupTooLargeError(
      `The database holds ${gib} GiB; at ${mbps} MB/s the export needs about ${Math.ceil(estimatedSeconds / 60)} min, more than half of the ${Math.floor(remainingSeconds / 60)} min this invocation has. ` +
        'Use the large-database path (RDS snapshot export to S3, README "Large databases") or raise backup.timeoutMinutes.',
    );
  }
  return { estimatedSeconds };
}
