/**
 * `npm run dr:promote` against mocked RDS, CloudWatch and STS, answering per region with
 * payloads shaped as the Amazon RDS and CloudWatch API references document
 * DescribeDBInstances, PromoteReadReplica, ModifyDBInstance and GetMetricStatistics.
 * The clock advances only when the command sleeps. Nothing reaches AWS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchClient,
  type Datapoint,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  type DBInstance,
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { physicalNames } from '../../lib/config';
import { REPLICA_LAG_ALARM_SECONDS } from '../../lib/constructs/cross-region-replica';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, invoke } from '../../scripts/lib/cli';
import { drPromoteClients } from '../../scripts/lib/dr-promote/clients';
import { type DrPromoteOptions, drPromoteCommand } from '../../scripts/lib/dr-promote/run';
import { projectStage } from '../../scripts/lib/project-stages';

// No real AWS: the documented example keys, no instance metadata.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
delete process.env.AWS_PROFILE;

const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const rds = mockClient(RDSClient);
const cloudWatch = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);

const cfg = projectStage('production');
const names = physicalNames(cfg);
const REPLICA = names.drReplicaInstance;
const PRIMARY = names.databaseInstance;
const PRIMARY_ARN = `arn:aws:rds:${cfg.region}:${cfg.account}:db:${PRIMARY}`;
const DR_KEY = `arn:aws:kms:${cfg.drRegion}:${cfg.account}:key/7e1f2a3b-12ab-34cd-56ef-1234567890dr`;
const NOW = new Date('2026-11-03T10:00:00Z');
const metadata = { httpStatusCode: 200, requestId: 'c5b5f6e0-8f7a-4a0e-9c9b-EXAMPLE00000' };

/** The cross-region replica as DescribeDBInstances returns it in the DR region. */
const replicaInstance = (): DBInstance => ({
  DBInstanceIdentifier: REPLICA,
  DBInstanceArn: `arn:aws:rds:${cfg.drRegion}:${cfg.account}:db:${REPLICA}`,
  DBInstanceClass: `db.${cfg.database.instanceClass}`,
  Engine: 'postgres',
  EngineVersion: '18.1',
  DBInstanceStatus: 'available',
  Endpoint: {
    Address: `${REPLICA}.c7bkqo9bcd1e.${cfg.drRegion}.rds.amazonaws.com`,
    Port: 5432,
    HostedZoneId: 'Z1RLNUO7B9Q6NB',
  },
  AvailabilityZone: `${cfg.drRegion}a`,
  BackupRetentionPeriod: 0,
  MultiAZ: false,
  ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN,
  ReadReplicaDBInstanceIdentifiers: [],
  StorageEncrypted: true,
  KmsKeyId: DR_KEY,
  DbiResourceId: 'db-DRREPLICAEXAMPLEABCDEFGHIJ',
  DeletionProtection: false,
  PubliclyAccessible: false,
});

/** The primary as DescribeDBInstances returns it in its own region. */
const primaryInstance = (): DBInstance => ({
  DBInstanceIdentifier: PRIMARY,
  DBInstanceArn: PRIMARY_ARN,
  DBInstanceClass: `db.${cfg.database.instanceClass}`,
  Engine: 'postgres',
  DBInstanceStatus: 'available',
  MultiAZ: true,
  ReadReplicaDBInstanceIdentifiers: [
    names.replicaInstance(1),
    names.replicaInstance(2),
    `arn:aws:rds:${cfg.drRegion}:${cfg.account}:db:${REPLICA}`,
  ],
  StorageEncrypted: true,
  KmsKeyId: `arn:aws:kms:${cfg.region}:${cfg.account}:key/5678abcd-12ab-34cd-56ef-1234567890cd`,
  DeletionProtection: true,
});

const notFound = (id: string) =>
  new DBInstanceNotFoundFault({
    $metadata: { ...metadata, httpStatusCode: 404 },
    message: `DBInstance ${id} not found.`,
  });

/** The account: instances by region and id, the replica's lag, and what promotion does. */
interface World {
  account: string;
  instances: Record<string, Record<string, DBInstance>>;
  /** What RDS in the primary's region throws instead of answering (a region that is down). */
  primaryRegionDown?: Error;
  lag: Datapoint[];
  /** Describes of the replica after PromoteReadReplica, one per poll; the last one repeats. */
  afterPromotion: Array<Partial<DBInstance>>;
}

let world: World;

const regionOf = async (getClient: () => unknown) =>
  (getClient() as { config: { region: () => Promise<string> } }).config.region();

function answer(): void {
  let promotedPolls = -1;
  sts.on(GetCallerIdentityCommand).callsFake(() => ({
    $metadata: metadata,
    UserId: 'AROA3XFRBF535PLBIFPI4:alice',
    Account: world.account,
    Arn: `arn:aws:sts::${world.account}:assumed-role/BulwarkOperator/alice`,
  }));
  rds.on(DescribeDBInstancesCommand).callsFake(async ({ DBInstanceIdentifier: id }, getClient) => {
    const region = await regionOf(getClient);
    if (region === cfg.region && world.primaryRegionDown) throw world.primaryRegionDown;
    let db = world.instances[region]?.[id];
    if (!db) throw notFound(id);
    if (id === REPLICA && promotedPolls >= 0) {
      const step = world.afterPromotion[Math.min(promotedPolls, world.afterPromotion.length - 1)];
      promotedPolls += 1;
      db = { ...db, ...step };
      if (!step.ReadReplicaSourceDBInstanceIdentifier) {
        delete db.ReadReplicaSourceDBInstanceIdentifier;
      }
    }
    return { $metadata: metadata, DBInstances: [db] };
  });
  rds.on(PromoteReadReplicaCommand).callsFake(({ DBInstanceIdentifier: id }) => {
    promotedPolls = 0;
    return {
      $metadata: metadata,
      DBInstance: { ...world.instances[cfg.drRegion][id], DBInstanceStatus: 'modifying' },
    };
  });
  rds.on(ModifyDBInstanceCommand).callsFake(({ DBInstanceIdentifier: id }) => ({
    $metadata: metadata,
    DBInstance: { ...world.instances[cfg.drRegion][id], DBInstanceStatus: 'available' },
  }));
  cloudWatch.on(GetMetricStatisticsCommand).callsFake(() => ({
    $metadata: metadata,
    Label: 'ReplicaLag',
    Datapoints: world.lag,
  }));
}

const lagAt = (minutesAgo: number, seconds: number): Datapoint => ({
  Timestamp: new Date(NOW.getTime() - minutesAgo * 60_000),
  Maximum: seconds,
  Unit: 'Seconds',
});

beforeEach(() => {
  rds.reset();
  cloudWatch.reset();
  sts.reset();
  world = {
    account: cfg.account,
    instances: {
      [cfg.drRegion]: { [REPLICA]: replicaInstance() },
      [cfg.region]: { [PRIMARY]: primaryInstance() },
    },
    lag: [lagAt(3, 4), lagAt(1, 12), lagAt(2, 7)],
    afterPromotion: [
      { DBInstanceStatus: 'modifying', ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN },
      { DBInstanceStatus: 'rebooting' },
      { DBInstanceStatus: 'available' },
    ],
  };
  answer();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  sleeps: number[];
  asked: string[];
}

/** Runs `npm run dr:promote` in-process with a clock that advances only when it sleeps. */
async function drPromote(
  argv: readonly string[],
  {
    env = FAKE_CREDENTIALS,
    answers = [],
    ...options
  }: DrPromoteOptions & { env?: NodeJS.ProcessEnv; answers?: string[] } = {},
): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sleeps: number[] = [];
  const asked: string[] = [];
  let clock = NOW.getTime();
  const clients = drPromoteClients();
  try {
    const code = await invoke(
      drPromoteCommand({
        clients,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
        interactive: false,
        ask: async (question) => {
          asked.push(question);
          return answers.shift() ?? '';
        },
        ...options,
      }),
      argv,
      { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env },
    );
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n'), sleeps, asked };
  } finally {
    clients.destroy();
  }
}

const mutations = () => [
  ...rds.commandCalls(PromoteReadReplicaCommand),
  ...rds.commandCalls(ModifyDBInstanceCommand),
];

describe('npm run dr:promote --plan', () => {
  it('prints the replica, the primary, the lag and each step, and changes nothing', async () => {
    const run = await drPromote(['--stage', 'production', '--plan']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toContain(`Replica ${REPLICA} in ${cfg.drRegion}`);
    expect(run.stdout).toMatch(/status\s+available/);
    expect(run.stdout).toMatch(new RegExp(`class\\s+db\\.${cfg.database.instanceClass}`));
    expect(run.stdout).toContain(`KMS key ${DR_KEY}`);
    expect(run.stdout).toMatch(new RegExp(`source\\s+${PRIMARY_ARN}`));
    expect(run.stdout).toContain(`Primary ${PRIMARY} in ${cfg.region}: available`);
    expect(run.stdout).toContain(
      `12 s at 2026-11-03T09:59:00.000Z: writes of the last ~12 seconds on the primary would be lost; within the ${REPLICA_LAG_ALARM_SECONDS} s alarm threshold`,
    );
    expect(run.stdout).toContain(
      `1. PromoteReadReplica ${REPLICA} in ${cfg.drRegion} with BackupRetentionPeriod ${cfg.backupRetentionDays} and PreferredBackupWindow 01:00-01:30`,
    );
    expect(run.stdout).toContain(
      `2. wait until ${REPLICA} is available and no longer a read replica (up to 60 minutes)`,
    );
    expect(run.stdout).toContain(
      `3. ModifyDBInstance ${REPLICA} with MultiAZ true, DeletionProtection true, ApplyImmediately`,
    );
    expect(run.stdout).toContain('Promotion could proceed. Nothing changed (--plan).');
    expect(mutations()).toEqual([]);
  });

  it('only reads: every call is a Describe or a Get', async () => {
    await drPromote(['--stage', 'production', '--plan']);

    const sent = [rds, cloudWatch, sts].flatMap((m) =>
      m.calls().map((c) => (c.args[0] as object).constructor.name),
    );
    expect(sent.sort()).toEqual([
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'GetCallerIdentityCommand',
      'GetMetricStatisticsCommand',
    ]);
  });

  it('reads the replica and its lag in the DR region and the primary in its own', async () => {
    await drPromote(['--stage', 'production', '--plan']);

    const where = async (call: { thisValue: unknown }) =>
      (call.thisValue as { config: { region: () => Promise<string> } }).config.region();
    const describes = rds.commandCalls(DescribeDBInstancesCommand);
    const byId = Object.fromEntries(
      await Promise.all(
        describes.map(async (c) => [c.args[0].input.DBInstanceIdentifier, await where(c)]),
      ),
    );
    expect(byId).toEqual({ [REPLICA]: cfg.drRegion, [PRIMARY]: cfg.region });
    const [lag] = cloudWatch.commandCalls(GetMetricStatisticsCommand);
    expect(await where(lag)).toBe(cfg.drRegion);
    expect(lag.args[0].input).toEqual({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA }],
      StartTime: new Date('2026-11-03T09:45:00Z'),
      EndTime: NOW,
      Period: 60,
      Statistics: ['Maximum'],
    });
    expect(await where(sts.commandCalls(GetCallerIdentityCommand)[0])).toBe(cfg.drRegion);
  });

  it("still prints the plan when the primary's region does not answer", async () => {
    world.primaryRegionDown = Object.assign(
      new Error(`connect ETIMEDOUT rds.${cfg.region}.amazonaws.com:443`),
      { name: 'TimeoutError' },
    );

    const run = await drPromote(['--stage', 'production', '--plan']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toContain(
      `Primary ${PRIMARY} in ${cfg.region}: primary unreachable: TimeoutError: connect ETIMEDOUT rds.${cfg.region}.amazonaws.com:443`,
    );
    expect(run.stdout).toContain('1. PromoteReadReplica');
    expect(mutations()).toEqual([]);
  });

  it('says the lost writes are unknown when the replica reports no lag', async () => {
    world.lag = [];

    const run = await drPromote(['--stage', 'production', '--plan']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toContain(
      'no datapoint in the last 15 minutes: the replica may have stopped receiving from the primary, so the writes that would be lost are unknown',
    );
  });

  it('warns when the lag is above the alarm threshold', async () => {
    world.lag = [lagAt(1, 742)];

    const run = await drPromote(['--stage', 'production', '--plan']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toContain(
      `writes of the last ~742 seconds on the primary would be lost; ABOVE the ${REPLICA_LAG_ALARM_SECONDS} s alarm threshold`,
    );
  });

  it.each([
    [
      'the replica does not exist',
      () => (world.instances[cfg.drRegion] = {}),
      `the replica ${REPLICA} (${cfg.drRegion}) does not exist (DBInstanceNotFoundFault)`,
    ],
    [
      'the replica replicates another instance',
      () =>
        (world.instances[cfg.drRegion][REPLICA].ReadReplicaSourceDBInstanceIdentifier =
          `arn:aws:rds:${cfg.region}:${cfg.account}:db:bulwark-staging-db`),
      `replicates arn:aws:rds:${cfg.region}:${cfg.account}:db:bulwark-staging-db, not this stage's primary ${PRIMARY_ARN}`,
    ],
    [
      'the replica is a standalone instance already',
      () => delete world.instances[cfg.drRegion][REPLICA].ReadReplicaSourceDBInstanceIdentifier,
      'is not a read replica (no ReadReplicaSourceDBInstanceIdentifier)',
    ],
    [
      'the replica is not available',
      () => (world.instances[cfg.drRegion][REPLICA].DBInstanceStatus = 'storage-full'),
      `${REPLICA} (${cfg.drRegion}) is storage-full; promotion needs it available`,
    ],
  ])('fails with exit 1 when %s, saying why', async (_, change, why) => {
    change();

    const run = await drPromote(['--stage', 'production', '--plan']);

    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stdout).toContain('Steps of the promotion:');
    expect(run.stderr).toContain('Promotion cannot proceed:');
    expect(run.stderr).toContain(why);
    expect(mutations()).toEqual([]);
  });

  it('fails with exit 1 when the replica cannot be described, naming the error', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA }).rejects(
      new RDSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { ...metadata, httpStatusCode: 403 },
        message: 'User is not authorized to perform: rds:DescribeDBInstances',
      }),
    );

    const run = await drPromote(['--stage', 'production', '--plan']);

    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stderr).toContain(
      `cannot describe the replica ${REPLICA} (${cfg.drRegion}): AccessDenied: User is not authorized`,
    );
  });
});

describe('npm run dr:promote', () => {
  it('promotes with the configured backups, waits, then sets Multi-AZ and deletion protection', async () => {
    const run = await drPromote(['--stage', 'production', '--confirm', REPLICA]);

    expect(run.code).toBe(EXIT_OK);
    expect(rds.commandCalls(PromoteReadReplicaCommand).map((c) => c.args[0].input)).toEqual([
      {
        DBInstanceIdentifier: REPLICA,
        BackupRetentionPeriod: cfg.backupRetentionDays,
        PreferredBackupWindow: '01:00-01:30',
      },
    ]);
    expect(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      {
        DBInstanceIdentifier: REPLICA,
        MultiAZ: cfg.database.multiAz,
        DeletionProtection: true,
        ApplyImmediately: true,
      },
    ]);
    // Modified only once the replica was available and no longer a replica.
    const order = rds.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.slice(order.indexOf('PromoteReadReplicaCommand'))).toEqual([
      'PromoteReadReplicaCommand',
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'ModifyDBInstanceCommand',
    ]);
    expect(run.sleeps).toEqual([30_000, 30_000, 30_000]);
    expect(run.stderr).toContain(`${REPLICA}: status modifying, still a read replica`);
    expect(run.stdout).toContain(
      `Promoted: ${REPLICA} is the standalone primary of stage production in ${cfg.drRegion}, at ${REPLICA}.c7bkqo9bcd1e.${cfg.drRegion}.rds.amazonaws.com:5432.`,
    );
    expect(run.stdout).toContain('README section "Regional failover"');
  });

  it('promotes when the operator types the identifier at the prompt', async () => {
    const run = await drPromote(['--stage', 'production'], {
      interactive: true,
      answers: [`  ${REPLICA}\n`],
    });

    expect(run.code).toBe(EXIT_OK);
    expect(run.asked).toEqual([
      `\nType the replica's identifier (${REPLICA}) to promote it; anything else aborts: `,
    ]);
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(1);
  });

  it('promotes even when the primary region is down (the failover case)', async () => {
    world.primaryRegionDown = Object.assign(new Error('getaddrinfo ENOTFOUND'), {
      name: 'Error',
      code: 'ENOTFOUND',
    });

    const run = await drPromote(['--stage', 'production', '--confirm', REPLICA]);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toContain('primary unreachable: Error: getaddrinfo ENOTFOUND');
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(1);
  });

  it('changes nothing and exits 2 without a confirmation and without a terminal', async () => {
    const run = await drPromote(['--stage', 'production']);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stdout).toContain('Steps of the promotion:');
    expect(run.stderr).toContain(
      `The promotion needs your confirmation: run again with --confirm ${REPLICA} (or in a terminal, to be asked). Nothing changed.`,
    );
    expect(mutations()).toEqual([]);
  });

  it('changes nothing and exits 2 when --confirm names another instance', async () => {
    const run = await drPromote(['--stage', 'production', '--confirm', PRIMARY]);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      `--confirm ${PRIMARY} does not name the replica ${REPLICA}: not promoted, nothing changed.`,
    );
    expect(mutations()).toEqual([]);
  });

  it('changes nothing and exits 2 when the operator types anything else', async () => {
    const run = await drPromote(['--stage', 'production'], { interactive: true, answers: ['y'] });

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(`Aborted: "y" is not ${REPLICA}. Nothing changed.`);
    expect(mutations()).toEqual([]);
  });

  it('fails with exit 1 and promotes nothing when the replica cannot be promoted, even confirmed', async () => {
    world.instances[cfg.drRegion][REPLICA].DBInstanceStatus = 'backing-up';

    const run = await drPromote(['--stage', 'production', '--confirm', REPLICA]);

    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stderr).toContain('Promotion cannot proceed; nothing changed:');
    expect(mutations()).toEqual([]);
  });

  it('fails with exit 1 after 60 minutes of waiting, saying the promotion goes on and how to check', async () => {
    world.afterPromotion = [
      { DBInstanceStatus: 'modifying', ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN },
    ];

    const run = await drPromote(['--stage', 'production', '--confirm', REPLICA]);

    expect(run.code).toBe(EXIT_FAILED);
    expect(run.sleeps.reduce((a, b) => a + b, 0)).toBe(60 * 60_000);
    expect(run.stderr).toContain(
      `${REPLICA} is not promoted after 60 minutes (status modifying, still a read replica): the promotion is still in progress in AWS.`,
    );
    expect(run.stderr).toContain(
      `Check it with: aws rds describe-db-instances --region ${cfg.drRegion} --db-instance-identifier ${REPLICA}`,
    );
    expect(run.stderr).toContain(
      `aws rds modify-db-instance --region ${cfg.drRegion} --db-instance-identifier ${REPLICA} --multi-az --deletion-protection --apply-immediately`,
    );
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  it('fails with exit 1 naming the error when RDS refuses the promotion', async () => {
    rds.on(PromoteReadReplicaCommand).rejects(
      new RDSServiceException({
        name: 'InvalidDBInstanceState',
        $fault: 'client',
        $metadata: { ...metadata, httpStatusCode: 400 },
        message: 'DB Instance is not a read replica.',
      }),
    );

    const run = await drPromote(['--stage', 'production', '--confirm', REPLICA]);

    expect(run.code).toBe(EXIT_FAILED);
    expect(run.stderr).toContain(
      `PromoteReadReplica of ${REPLICA} in ${cfg.drRegion} failed: InvalidDBInstanceState: DB Instance is not a read replica.`,
    );
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });
});

describe('npm run dr:promote when it cannot run', () => {
  it('exits 2 for a stage without a cross-region replica, before any AWS call', async () => {
    const run = await drPromote(['--stage', 'staging', '--plan']);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'dr:promote: stage staging has no cross-region replica (database.crossRegionReplica is false in cdk.json): there is nothing to promote.',
    );
    expect([...rds.calls(), ...cloudWatch.calls(), ...sts.calls()]).toEqual([]);
  });

  it('exits 2 for an unknown stage, naming the stages there are', async () => {
    const run = await drPromote(['--stage', 'prod', '--plan']);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe('dr:promote: no stage prod in cdk.json (stages: staging, production)');
  });

  it.each([
    [['--plan'], 'dr:promote: --stage is required (see --help)'],
    [['--stage', 'production', '--plan', '--confirm', REPLICA], 'leave out --confirm'],
    [['--stage', 'production', 'now'], 'dr:promote: unexpected argument now (see --help)'],
  ])('exits 2 on a wrong command line %j', async (argv, message) => {
    const run = await drPromote(argv);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(message);
    expect(rds.calls()).toEqual([]);
  });

  it('says it needs an account and exits 2 when no credentials are configured', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-dr-promote-'));

    const run = await drPromote(['--stage', 'production', '--plan'], {
      env: {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
        AWS_CONFIG_FILE: path.join(home, 'config'),
      },
    });

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'dr:promote needs a real AWS account, and no AWS credentials are configured',
    );
    expect([...rds.calls(), ...sts.calls()]).toEqual([]);
  });

  it('exits 2 before reading the database when the credentials are for another account', async () => {
    world.account = '333333333333';

    const run = await drPromote(['--stage', 'production', '--confirm', REPLICA]);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      `The credentials are for account 333333333333, but stage production is deployed in account ${cfg.account}`,
    );
    expect(rds.calls()).toEqual([]);
  });

  it('answers --help with its usage and exit codes, exit 0', async () => {
    const run = await drPromote(['--help']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout.split('\n')[0]).toBe(
      'usage: npm run dr:promote -- --stage <name> [--plan] [--confirm <replica id>]',
    );
    expect(run.stdout).toContain('Exit codes: 0 the replica is promoted');
    expect(run.stdout).toContain('--confirm <replica id>');
  });
});
