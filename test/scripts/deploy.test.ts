import {
  DeleteStackCommand,
  ListStackResourcesCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { planRecovery } from '../../scripts/lib/deploy/recovery';
import { run } from '../../scripts/lib/deploy/run';
import { preflightClients } from '../../scripts/lib/preflight/clients';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';
import { type World, answerFrom, aws, readyWorld, stageConfig } from './preflight/world';

const staging = stageConfig('staging');

/** ListStackResources of a stack whose first creation failed and rolled back. */
function rolledBack(
  world: World,
  stack: string,
  resources: Array<[string, string, string, string]>,
) {
  aws.cloudFormation.on(ListStackResourcesCommand, { StackName: stack }).resolves({
    StackResourceSummaries: resources.map(
      ([LogicalResourceId, ResourceType, PhysicalResourceId, ResourceStatus]) => ({
        LogicalResourceId,
        ResourceType,
        PhysicalResourceId,
        ResourceStatus: ResourceStatus as never,
        LastUpdatedTimestamp: new Date('2026-12-01T10:00:00Z'),
      }),
    ),
  });
  // Once deleted, DescribeStacks says the stack does not exist, and the database it still
  // held is gone with it.
  aws.cloudFormation.on(DeleteStackCommand, { StackName: stack }).callsFake(async () => {
    world.stacks = Object.fromEntries(Object.entries(world.stacks).filter(([n]) => n !== stack));
    const held = resources.filter(([, type]) => type === 'AWS::RDS::DBInstance').map((r) => r[2]);
    world.dbInstances = world.dbInstances.filter((id) => !held.includes(id));
    return {};
  });
}

async function deploy(
  argv: string[],
  world: World,
  confirm?: boolean,
  setup: (world: World) => void = () => undefined,
) {
  answerFrom(world);
  setup(world);
  let stderr = '';
  const commands: string[][] = [];
  const code = await run(argv, {
    clients: preflightClients(),
    env: process.env,
    assembly: SHARED_ASSEMBLY_DIR,
    stdout: () => undefined,
    stderr: (t) => (stderr += `${t}\n`),
    exec: (command, args) => {
      commands.push([command, ...args]);
      return 0;
    },
    confirm: async () => confirm,
  });
  return { code, stderr, commands };
}

describe('npm run deploy', () => {
  it('synthesizes, runs preflight against that assembly, then deploys the same assembly', async () => {
    const r = await deploy(
      ['--stage', 'staging', '--', '--profile', 'sandbox'],
      readyWorld(staging),
    );
    expect(r.code).toBe(0);
    expect(r.commands).toEqual([
      ['npx', 'cdk', 'synth', '--quiet', '-c', 'stage=staging', '-o', SHARED_ASSEMBLY_DIR],
      [
        'npx',
        'cdk',
        'deploy',
        '--app',
        SHARED_ASSEMBLY_DIR,
        'Bulwark-Staging-*',
        '--require-approval',
        'broadening',
        '--profile',
        'sandbox',
      ],
    ]);
  });

  it('stops before deploying when preflight fails, and deploys with --skip-preflight', async () => {
    const world = readyWorld(staging);
    delete world.bootstrap['us-east-1'];
    const failed = await deploy(['--stage', 'staging'], world);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('preflight found problems');
    expect(failed.commands.map((c) => c[2])).toEqual(['synth']);
    const skipped = await deploy(['--stage', 'staging', '--skip-preflight'], world);
    expect(skipped.code).toBe(0);
    expect(skipped.commands.map((c) => c[2])).toEqual(['synth', 'deploy']);
  });

  it('deploys an already synthesized assembly with --assembly, without synthesizing again', async () => {
    const r = await deploy(
      [
        '--stage',
        'staging',
        '--assembly',
        SHARED_ASSEMBLY_DIR,
        '--',
        '--require-approval',
        'never',
      ],
      readyWorld(staging),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Deploying the synthesized assembly ${SHARED_ASSEMBLY_DIR}`);
    // The pipeline's approval replaces the CLI's prompt: one --require-approval, the one given.
    expect(r.commands).toEqual([
      [
        'npx',
        'cdk',
        'deploy',
        '--app',
        SHARED_ASSEMBLY_DIR,
        'Bulwark-Staging-*',
        '--require-approval',
        'never',
      ],
    ]);
  });

  it('refuses an --assembly that does not hold the stage, before any AWS call', async () => {
    const r = await deploy(
      ['--stage', 'staging', '--assembly', '/nonexistent'],
      readyWorld(staging),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No cloud assembly at /nonexistent');
    expect(r.commands).toEqual([]);
    expect(aws.sts.calls()).toHaveLength(0);
  });

  describe('a stack whose first creation failed', () => {
    const failedData = (world: World) => {
      world.stacks['Bulwark-Staging-Data'] = { status: 'ROLLBACK_FAILED' };
      rolledBack(world, 'Bulwark-Staging-Data', [
        ['DatabasePrimaryEDE0B3D0', 'AWS::RDS::DBInstance', 'bulwark-staging-db', 'DELETE_FAILED'],
        [
          'BackupBucket26B8E51C',
          'AWS::S3::Bucket',
          'bulwark-staging-data-backupbucket-1a2b3c',
          'DELETE_SKIPPED',
        ],
        ['DataKey17AFBB84', 'AWS::KMS::Key', 'key-1', 'DELETE_SKIPPED'],
      ]);
    };

    it('is cleaned up once confirmed: termination protection off, the unused database unprotected, the stack deleted', async () => {
      const world = readyWorld(staging);
      const r = await deploy(
        ['--stage', 'staging', '--skip-preflight', '--yes'],
        world,
        undefined,
        failedData,
      );
      expect(r.code).toBe(0);
      expect(
        aws.cloudFormation.commandCalls(UpdateTerminationProtectionCommand)[0].args[0].input,
      ).toEqual({
        StackName: 'Bulwark-Staging-Data',
        EnableTerminationProtection: false,
      });
      expect(aws.rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toEqual({
        DBInstanceIdentifier: 'bulwark-staging-db',
        DeletionProtection: false,
        ApplyImmediately: true,
      });
      expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(1);
      expect(r.stderr).toContain(
        'Kept in the account (retained; remove by hand if unwanted): AWS::S3::Bucket bulwark-staging-data-backupbucket-1a2b3c, AWS::KMS::Key key-1',
      );
      expect(r.commands.map((c) => c[2])).toEqual(['synth', 'deploy']);
    });

    it('is left alone without a confirmation, with the commands that would clean it up', async () => {
      for (const answer of [undefined, false]) {
        const world = readyWorld(staging);
        const r = await deploy(
          ['--stage', 'staging', '--skip-preflight'],
          world,
          answer,
          failedData,
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          'aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name Bulwark-Staging-Data --region eu-west-1',
        );
        expect(r.stderr).toContain(
          'aws rds modify-db-instance --db-instance-identifier bulwark-staging-db --no-deletion-protection',
        );
        expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(0);
        expect(r.commands.map((c) => c[2])).toEqual(['synth']);
      }
    });

    it('is cleaned up before preflight, which then finds the names it held free, and deployed', async () => {
      const world = readyWorld(staging);
      const r = await deploy(['--stage', 'staging', '--yes'], world, undefined, (w) => {
        failedData(w);
        w.dbInstances = ['bulwark-staging-db'];
      });
      expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(1);
      expect(r.stderr).not.toContain('preflight found problems');
      expect(r.code).toBe(0);
      expect(r.commands.map((c) => c[2])).toEqual(['synth', 'deploy']);
    });

    it('stops at preflight when the cleanup is refused, touching nothing', async () => {
      const world = readyWorld(staging);
      const r = await deploy(['--stage', 'staging'], world, false, (w) => {
        failedData(w);
        w.dbInstances = ['bulwark-staging-db'];
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Bulwark-Staging-Data (eu-west-1) is ROLLBACK_FAILED');
      expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(0);
      expect(aws.rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
      expect(r.commands.map((c) => c[2])).toEqual(['synth']);
    });

    it('is never cleaned up with credentials of another account', async () => {
      const world = readyWorld(staging);
      world.account = '999999999999';
      const r = await deploy(
        ['--stage', 'staging', '--yes', '--skip-preflight'],
        world,
        true,
        failedData,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('The credentials are for account 999999999999');
      expect(aws.cloudFormation.commandCalls(ListStackResourcesCommand)).toHaveLength(0);
      expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(0);
      expect(r.commands.map((c) => c[2])).toEqual(['synth']);
    });

    it('waits while its rollback runs', async () => {
      const world = readyWorld(staging);
      world.stacks['Bulwark-Staging-Edge'] = { status: 'ROLLBACK_IN_PROGRESS' };
      const r = await deploy(['--stage', 'staging', '--skip-preflight', '--yes'], world);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('its rollback is still running');
    });
  });

  it.each(['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_COMPLETE', 'CREATE_COMPLETE'])(
    'never plans to delete a stack that completed once (%s)',
    async (status) => {
      answerFrom(readyWorld(staging));
      const plan = await planRecovery(preflightClients(), 'Bulwark-Staging-Data', 'eu-west-1', {
        kind: 'present',
        status,
        terminationProtection: true,
        outputs: {},
      });
      expect(plan).toBeUndefined();
    },
  );

  describe('when it cannot run', () => {
    it.each([
      [['--stage', 'staging', '--stgae', 'x'], 'deploy: unknown option --stgae (see --help)'],
      [
        ['--stage', 'staging', 'hotswap'],
        'deploy: unexpected argument hotswap: cdk deploy options go after -- (see --help)',
      ],
      [['--stage'], 'deploy: option --stage needs a value (see --help)'],
      [['--yes'], 'deploy: --stage is required (see --help)'],
      [['--stage', 'nope'], 'deploy: no stage nope in cdk.json (stages: staging, production)'],
    ])('rejects %j with exit 2 and one line naming it', async (argv, line) => {
      const r = await deploy(argv, readyWorld(staging));
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.commands).toEqual([]);
    });

    it('exits 2 without credentials, before synthesizing', async () => {
      answerFrom(readyWorld(staging));
      let stderr = '';
      const commands: string[][] = [];
      const code = await run(['--stage', 'staging'], {
        env: {
          HOME: '/nonexistent',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/c',
          AWS_CONFIG_FILE: '/nonexistent/f',
        },
        stderr: (t) => (stderr += t),
        exec: (c, a) => (commands.push([c, ...a]), 0),
      });
      expect(code).toBe(2);
      expect(stderr).toContain('deploy needs a real AWS account');
      expect(commands).toEqual([]);
    });

    it('answers --help with exit 0', async () => {
      let stdout = '';
      expect(await run(['--help'], { stdout: (t) => (stdout += t) })).toBe(0);
      expect(stdout).toContain('finds stacks whose first creation failed');
    });
  });
});
