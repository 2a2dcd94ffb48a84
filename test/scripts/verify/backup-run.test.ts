import { CloudWatchServiceException, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { aws, answerFrom, compliantWorld, resultOf, stageConfig, verify } from './fixtures';

const CHECK = 'nightly export succeeded within 26 hours';
const METRIC = 'Bulwark/Backup BackupSucceeded (service nightly-backup)';
const DENIED =
  'User: arn:aws:sts::222222222222:assumed-role/BulwarkReadOnly/alice is not authorized to perform: cloudwatch:GetMetricStatistics';

/** The compliant world of `stage` and the hour of its latest successful export. */
function world(stage: 'staging' | 'production') {
  const w = compliantWorld(stageConfig(stage));
  const series = w.metrics.find((m) => m.metricName === 'BackupSucceeded')!;
  const latest = series.datapoints.map((d) => d.Timestamp!).sort((a, b) => +b - +a)[0];
  return { w, series, latest };
}

describe('npm run verify: the nightly export (BKP-DAILY)', () => {
  it('passes a success of the Fargate task within 26 hours, saying when, read in the primary region', async () => {
    const cfg = stageConfig('production');
    const { w, latest } = world('production');
    answerFrom(w);

    const { results } = await verify(['--stage', 'production']);

    expect(resultOf(results, CHECK)).toEqual({
      control: 'BKP-DAILY',
      check: CHECK,
      result: 'PASS',
      evidence: `${METRIC}: 1 success in the last 26 hours, the latest in the hour from ${latest.toISOString()}, run by the ECS Fargate task (backup.runner fargate); expected ≥ 1`,
    });
    const call = aws.cloudWatch
      .commandCalls(GetMetricStatisticsCommand)
      .find((c) => c.args[0].input.MetricName === 'BackupSucceeded')!;
    const { StartTime, EndTime, ...input } = call.args[0].input;
    expect(input).toEqual({
      Namespace: 'Bulwark/Backup',
      MetricName: 'BackupSucceeded',
      Dimensions: [{ Name: 'service', Value: 'nightly-backup' }],
      Period: 3600,
      Statistics: ['Sum'],
    });
    expect(EndTime!.getTime() - StartTime!.getTime()).toBe(26 * 3_600_000);
    expect(
      await (call.thisValue as { config: { region: () => Promise<string> } }).config.region(),
    ).toBe(cfg.region);
  });

  it('names the Lambda function as the runner of a stage with backup.runner lambda', async () => {
    answerFrom(world('staging').w);

    const { results } = await verify(['--stage', 'staging']);

    expect(resultOf(results, CHECK).result).toBe('PASS');
    expect(resultOf(results, CHECK).evidence).toContain(
      'run by the Lambda function (backup.runner lambda)',
    );
  });

  it('fails when the last success is older than 26 hours', async () => {
    const { w, series } = world('production');
    series.datapoints = series.datapoints.filter(
      (d) => d.Timestamp!.getTime() < Date.now() - 27 * 3_600_000,
    );
    expect(series.datapoints).toHaveLength(1);
    answerFrom(w);

    const { code, results } = await verify(['--stage', 'production']);

    expect(code).toBe(1);
    expect(resultOf(results, CHECK)).toMatchObject({
      result: 'FAIL',
      evidence: `${METRIC}: no success in the last 26 hours, runner the ECS Fargate task (backup.runner fargate); expected ≥ 1`,
    });
  });

  it('fails when the export never succeeded', async () => {
    const { w } = world('staging');
    w.metrics = w.metrics.filter((m) => m.metricName !== 'BackupSucceeded');
    answerFrom(w);

    const { results } = await verify(['--stage', 'staging']);

    expect(resultOf(results, CHECK)).toMatchObject({
      result: 'FAIL',
      evidence: `${METRIC}: no success in the last 26 hours, runner the Lambda function (backup.runner lambda); expected ≥ 1`,
    });
  });

  it('fails only this check, with the error, when GetMetricStatistics is denied for it', async () => {
    const { w } = world('production');
    w.refusals.push({
      command: 'GetMetricStatistics',
      when: (input) => input.MetricName === 'BackupSucceeded',
      error: new CloudWatchServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403, requestId: 'f8e8c9b3-1c0d-4d3b-8f2e-EXAMPLE33333' },
        message: DENIED,
      }),
    });
    answerFrom(w);

    const { results } = await verify(['--stage', 'production']);

    expect(results.filter((r) => r.result === 'FAIL')).toEqual([
      {
        control: 'BKP-DAILY',
        check: CHECK,
        result: 'FAIL',
        evidence: `AccessDenied: ${DENIED}`,
      },
    ]);
  });
});
