import {
  type CloudWatchClient,
  type Datapoint,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';

/** One minute's maximum `ReplicaLag` of a replica. */
export interface LagPoint {
  readonly seconds: number;
  readonly at: Date;
}

/**
 * The one-minute maxima of `AWS/RDS` `ReplicaLag` of replica `id` over the last
 * `minutes` before `now`, latest first (what `verify` judges and `dr:promote` shows).
 * Errors are the caller's to report.
 */
export async function replicaLag(
  cloudWatch: CloudWatchClient,
  id: string,
  now: Date,
  minutes: number,
): Promise<LagPoint[]> {
  const out = await cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }],
      StartTime: new Date(now.getTime() - minutes * 60_000),
      EndTime: now,
      Period: 60,
      Statistics: ['Maximum'],
    }),
  );
  return (out.Datapoints ?? [])
    .filter(
      (d): d is Datapoint & { Maximum: number; Timestamp: Date } =>
        d.Maximum !== undefined && d.Timestamp !== undefined,
    )
    .map((d) => ({ seconds: d.Maximum, at: d.Timestamp }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}
