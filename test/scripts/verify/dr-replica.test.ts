import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { aws, answerFrom, compliantWorld, ids, resultOf, stageConfig, verify } from './fixtures';

const REPLICATES = 'cross-region read replica replicates the primary';
const LAG = 'cross-region replica lag within the alarm threshold';
const cfg = stageConfig('production');
const i = ids(cfg);
const PRIMARY_ARN = `arn:aws:rds:${cfg.region}:${cfg.account}:db:${i.database}`;

const regionOf = (call: { thisValue: unknown }) =>
  (call.thisValue as { config: { region: () => Promise<string> } }).config.region();

/** The compliant production world with its cross-region replica changed. */
function withReplica(change: (db: ReturnType<typeof compliantWorld>['databases'][string]) => void) {
  const world = compliantWorld(cfg);
  change(world.databases[i.drReplica]);
  return world;
}

/** The compliant production world with the replica's lag datapoints replaced. */
function withLag(maxima: number[]) {
  const world = compliantWorld(cfg);
  const series = world.metrics.find((m) => m.metricName === 'ReplicaLag')!;
  series.datapoints = maxima.map((Maximum, n) => ({
    Timestamp: new Date(Date.now() - (n + 1) * 60_000),
    Maximum,
    Unit: 'Seconds',
  }));
  return world;
}

describe('npm run verify: the cross-region replica (DR-REPL)', () => {
  it('passes an available, encrypted replica of the primary, read in the DR region', async () => {
    answerFrom(compliantWorld(cfg));

    const { results } = await verify(['--stage', 'production']);

    expect(resultOf(results, REPLICATES)).toEqual({
      control: 'DR-REPL',
      check: REPLICATES,
      result: 'PASS',
      evidence: `${i.drReplica} (${cfg.drRegion}): available, encrypted with ${i.drReplicaKey}, replicating ${PRIMARY_ARN}`,
    });
    const describe = aws.rds
      .commandCalls(DescribeDBInstancesCommand)
      .find((c) => c.args[0].input.DBInstanceIdentifier === i.drReplica)!;
    expect(await regionOf(describe)).toBe(cfg.drRegion);
  });

  it('passes a lag within 300 seconds, reading one-minute maxima of the last 10 minutes', async () => {
    answerFrom(compliantWorld(cfg));

    const { results } = await verify(['--stage', 'production']);

    expect(resultOf(results, LAG)).toMatchObject({ control: 'DR-REPL', result: 'PASS' });
    expect(resultOf(results, LAG).evidence).toMatch(
      new RegExp(
        `^${i.drReplica} \\(${cfg.drRegion}\\): ReplicaLag at most 4 s over the last 10 minutes \\(\\d+ datapoints\\); expected ≤ 300 s$`,
      ),
    );
    const lag = aws.cloudWatch
      .commandCalls(GetMetricStatisticsCommand)
      .find((c) => c.args[0].input.MetricName === 'ReplicaLag')!;
    const { StartTime, EndTime, ...input } = lag.args[0].input;
    expect(input).toEqual({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: i.drReplica }],
      Period: 60,
      Statistics: ['Maximum'],
    });
    expect(EndTime!.getTime() - StartTime!.getTime()).toBe(10 * 60_000);
    expect(await regionOf(lag)).toBe(cfg.drRegion);
  });

  it.each([
    [
      'replicates another instance',
      withReplica(
        (db) =>
          (db.ReadReplicaSourceDBInstanceIdentifier = `arn:aws:rds:${cfg.region}:${cfg.account}:db:bulwark-staging-db`),
      ),
      `ReadReplicaSourceDBInstanceIdentifier arn:aws:rds:${cfg.region}:${cfg.account}:db:bulwark-staging-db`,
    ],
    [
      'is no replica any more (promoted)',
      withReplica((db) => delete db.ReadReplicaSourceDBInstanceIdentifier),
      'ReadReplicaSourceDBInstanceIdentifier none',
    ],
    [
      'is unencrypted',
      withReplica((db) => {
        db.StorageEncrypted = false;
        delete db.KmsKeyId;
      }),
      'StorageEncrypted false; KmsKeyId none',
    ],
    [
      "is encrypted with a key of the primary's region",
      withReplica((db) => (db.KmsKeyId = i.dataKey)),
      `KmsKeyId ${i.dataKey} is not a key of ${cfg.drRegion}`,
    ],
    [
      'is not available',
      withReplica((db) => (db.DBInstanceStatus = 'incompatible-parameters')),
      'DBInstanceStatus incompatible-parameters',
    ],
  ])('fails a replica that %s, naming what it saw and what it expected', async (_, world, seen) => {
    answerFrom(world);

    const { code, results } = await verify(['--stage', 'production']);

    expect(code).toBe(1);
    expect(resultOf(results, REPLICATES).result).toBe('FAIL');
    expect(resultOf(results, REPLICATES).evidence).toBe(
      `${i.drReplica} (${cfg.drRegion}): ${seen}; expected available, encrypted with a KMS key of ${cfg.drRegion}, replicating ${PRIMARY_ARN}`,
    );
  });

  it('fails when the replica does not exist, with the error', async () => {
    const world = compliantWorld(cfg);
    world.databases = Object.fromEntries(
      Object.entries(world.databases).filter(([id]) => id !== i.drReplica),
    );
    answerFrom(world);

    const { results } = await verify(['--stage', 'production']);

    expect(resultOf(results, REPLICATES)).toMatchObject({
      result: 'FAIL',
      evidence: `DBInstanceNotFoundFault: DBInstance ${i.drReplica} not found.`,
    });
  });

  it('fails a lag above 300 seconds, naming the worst minute', async () => {
    answerFrom(withLag([12, 301, 40]));

    const { code, results } = await verify(['--stage', 'production']);

    expect(code).toBe(1);
    expect(resultOf(results, LAG)).toMatchObject({
      result: 'FAIL',
      evidence: `${i.drReplica} (${cfg.drRegion}): ReplicaLag at most 301 s over the last 10 minutes (3 datapoints); expected ≤ 300 s`,
    });
  });

  it('fails when the replica reported no lag in the last 10 minutes, saying so', async () => {
    answerFrom(withLag([]));

    const { results } = await verify(['--stage', 'production']);

    expect(resultOf(results, LAG)).toMatchObject({
      result: 'FAIL',
      evidence: `${i.drReplica} (${cfg.drRegion}): no ReplicaLag datapoints in the last 10 minutes, so replication cannot be shown; expected ≤ 300 s`,
    });
  });

  it('skips both checks, reading nothing, for a stage without a cross-region replica', async () => {
    const staging = stageConfig('staging');
    answerFrom(compliantWorld(staging));

    const { code, results } = await verify(['--stage', 'staging']);

    expect(code).toBe(0);
    const reason =
      'database.crossRegionReplica is off for stage staging: eu-central-1 holds the replicated backups only';
    expect([resultOf(results, REPLICATES), resultOf(results, LAG)]).toEqual([
      { control: 'DR-REPL', check: REPLICATES, result: 'SKIP', evidence: reason },
      { control: 'DR-REPL', check: LAG, result: 'SKIP', evidence: reason },
    ]);
    const ids = aws.rds
      .commandCalls(DescribeDBInstancesCommand)
      .map((c) => c.args[0].input.DBInstanceIdentifier);
    expect(ids).not.toContain('bulwark-staging-db-dr');
    expect(
      aws.cloudWatch
        .commandCalls(GetMetricStatisticsCommand)
        .map((c) => c.args[0].input.MetricName),
    ).not.toContain('ReplicaLag');
  });
});
