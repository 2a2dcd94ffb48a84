import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STSServiceException } from '@aws-sdk/client-sts';
import { EXIT_CANNOT_RUN } from '../../../scripts/lib/aws-credentials';
import { accessDenied, aws, answerFrom, compliantWorld, stageConfig, verify } from './fixtures';

describe('npm run verify when the stage cannot be verified', () => {
  it('exits 2 naming the stack that is not deployed, and asks to deploy first', async () => {
    const world = compliantWorld(stageConfig('staging'));
    delete world.stacks['Bulwark-Staging-Edge'];
    answerFrom(world);

    const run = await verify(['--stage', 'staging']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Bulwark-Staging-Edge (us-east-1) does not exist');
    expect(run.stderr).toContain('Deploy the stage first (npm run deploy -- --stage staging)');
  });

  it('exits 2 naming each output a stack deployed from an older version lacks', async () => {
    const world = compliantWorld(stageConfig('production'));
    delete world.stacks['Bulwark-Production-Data'].outputs.BackupBucketName;
    delete world.stacks['Bulwark-Production-Edge'].outputs.AlertTopicArn;
    answerFrom(world);

    const run = await verify(['--stage', 'production']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toContain(
      'Bulwark-Production-Data: BackupBucketName, Bulwark-Production-Edge: AlertTopicArn',
    );
  });

  it('exits 2 before reading any stack when the credentials are for another account', async () => {
    const world = compliantWorld(stageConfig('production'));
    world.account = '333333333333';
    answerFrom(world);

    const run = await verify(['--stage', 'production']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toContain(
      'The credentials are for account 333333333333, but stage production is deployed in account 222222222222',
    );
    expect(aws.cloudFormation.calls()).toHaveLength(0);
  });

  it('exits 2 when the credentials are rejected', async () => {
    const world = compliantWorld(stageConfig('staging'));
    world.refusals.push({
      command: 'GetCallerIdentity',
      error: new STSServiceException({
        name: 'ExpiredToken',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'The security token included in the request is expired',
      }),
    });
    answerFrom(world);

    const run = await verify(['--stage', 'staging']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toContain(
      'The configured AWS credentials do not work: ExpiredToken: The security token included in the request is expired',
    );
  });

  it('exits 2 when a stack cannot be read', async () => {
    const world = compliantWorld(stageConfig('staging'));
    world.refusals.push({
      command: 'DescribeStacks',
      error: accessDenied(
        'cloudformation',
        'not authorized to perform: cloudformation:DescribeStacks',
      ),
    });
    answerFrom(world);

    const run = await verify(['--stage', 'staging']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toMatch(
      /^Cannot read stack Bulwark-Staging-\w+ in [a-z0-9-]+: AccessDenied/m,
    );
  });

  it.each([
    [['--stage', 'qa'], 'verify: no stage qa in cdk.json (stages: staging, production)'],
    [[], 'verify: --stage is required (see --help)'],
    [['--stage'], 'verify: option --stage needs a value (see --help)'],
    [['--stage', 'staging', '--stgae'], 'verify: unknown option --stgae (see --help)'],
  ])(
    'rejects %p with one line naming it and exit code 2, without calling AWS',
    async (argv, line) => {
      answerFrom(compliantWorld(stageConfig('staging')));

      const run = await verify(argv);

      expect(run.code).toBe(EXIT_CANNOT_RUN);
      expect(run.stderr).toBe(line);
      expect(aws.sts.calls()).toHaveLength(0);
    },
  );

  it('rejects a region Bulwark does not deploy to', async () => {
    answerFrom(compliantWorld(stageConfig('staging')));

    const run = await verify(['--stage', 'staging', '--region', 'cn-north-1']);

    expect(run.code).toBe(EXIT_CANNOT_RUN);
    expect(run.stderr).toContain('--region cn-north-1 is not a region Bulwark deploys to');
  });

  it('says it needs an account and exits 2 when no credentials are configured', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));
    const script = path.join(__dirname, '..', '..', '..', 'scripts', 'verify.ts');

    const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--stage', 'staging'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
    });

    expect(r.status).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toContain(
      'verify needs a real AWS account, and no AWS credentials are configured',
    );
    expect(r.stdout).toBe('');
  });
});
