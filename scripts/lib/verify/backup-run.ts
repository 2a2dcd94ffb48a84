import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { FRESHNESS_HOURS } from '../../../lib/constructs/nightly-backup';
import {
  BACKUP_METRICS_NAMESPACE,
  BACKUP_SERVICE_NAME,
} from '../../../lambda/nightly-backup/telemetry';
import { type CheckId, type CheckResult, judge, observed } from './types';

const SUCCEEDED: CheckId = [
  'BKP-DAILY',
  `nightly export succeeded within ${FRESHNESS_HOURS} hours`,
];

/** What runs the nightly export (`backup.runner`), as the evidence names it. */
const RUNNERS = { lambda: 'the Lambda function', fargate: 'the ECS Fargate task' } as const;

/**
 * BKP-DAILY: the nightly export succeeded at least once in the last
 * {@link FRESHNESS_HOURS} hours: the hourly sums of `BackupSucceeded` (published by
 * the Lambda or the Fargate task alike, namespace `Bulwark/Backup`, dimension
 * `service`) in the primary region add up to at least 1 (GetMetricStatistics).
 */
export async function checkBackupRun(
  cloudWatch: CloudWatchClient,
  runner: keyof typeof RUNNERS,
  now: Date = new Date(),
): Promise<CheckResult[]> {
  const metric = `${BACKUP_METRICS_NAMESPACE} BackupSucceeded (service ${BACKUP_SERVICE_NAME})`;
  const ranBy = `${RUNNERS[runner]} (backup.runner ${runner})`;
  return observed(
    [SUCCEEDED],
    () =>
      cloudWatch.send(
        new GetMetricStatisticsCommand({
          Namespace: BACKUP_METRICS_NAMESPACE,
          MetricName: 'BackupSucceeded',
          Dimensions: [{ Name: 'service', Value: BACKUP_SERVICE_NAME }],
          StartTime: new Date(now.getTime() - FRESHNESS_HOURS * 3_600_000),
          EndTime: now,
          Period: 3600,
          Statistics: ['Sum'],
        }),
      ),
    (out) => {
      const hours = (out.Datapoints ?? []).filter(
        (d) => (d.Sum ?? 0) >= 1 && d.Timestamp !== undefined,
      );
      const total = hours.reduce((n, d) => n + d.Sum!, 0);
      const latest = hours.map((d) => d.Timestamp!).sort((a, b) => b.getTime() - a.getTime())[0];
      return [
        judge(
          ...SUCCEEDED,
          total >= 1,
          latest
            ? `${metric}: ${total} success${total === 1 ? '' : 'es'} in the last ${FRESHNESS_HOURS} hours, the latest in the hour from ${latest.toISOString()}, run by ${ranBy}; expected ≥ 1`
            : `${metric}: no success in the last ${FRESHNESS_HOURS} hours, runner ${ranBy}; expected ≥ 1`,
        ),
      ];
    },
  );
}
