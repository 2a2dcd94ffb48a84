/**
 * `npm run break-glass` against mocked STS, CloudFormation and SSM (payloads and
 * errors as the AWS API references give them) and a fake `aws` executable on PATH
 * that records how it was called. Nothing reaches AWS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { breakGlassCommand } from '../../scripts/break-glass';
import { awsBreakGlassClients, processRuntime } from '../../scripts/lib/break-glass';
import { invoke } from '../../scripts/lib/cli';
import { OUTPUT_KEYS } from '../../lib/stage-layout';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/bulwark-staging-break-glass`;
const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/alice`;
const INSTANCE = 'i-0abcd1234efgh5678';
const ROLE_KEY = 'ASIAIOSFODNN7EXAMPLE';
const K = OUTPUT_KEYS.Security;
const OUTPUTS = {
  [K.breakGlassRoleArn]: ROLE,
  [K.breakGlassLaunchTemplateId]: 'lt-0123456789abcdef0',
  [K.breakGlassSubnetIds]: 'subnet-0aaa1111,subnet-0bbb2222',
  [K.breakGlassDocumentName]: 'bulwark-staging-break-glass-session',
  [K.breakGlassLogGroupName]: '/bulwark/staging/break-glass/sessions',
  [K.breakGlassBucketName]: 'bulwark-staging-security-breakglasssessionlogbucket-1a2b3c4d5e6f',
  [K.breakGlassAlarmName]: 'Bulwark-Staging-Security-BreakGlassAssumedAlarm-AbCdEf123456',
};

/** A directory on PATH with a fake `aws` (and the plugin) that log their calls. */
function fakeTools(sessionExit = 0): { dir: string; calls: () => string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-break-glass-'));
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(
    path.join(dir, 'aws'),
    `#!/bin/sh
echo "$* | key=$AWS_ACCESS_KEY_ID profile=\${AWS_PROFILE:-none} token=$AWS_SESSION_TOKEN" >> "${log}"
case "$1 $2" in
  "ec2 run-instances") echo '{"Instances":[{"InstanceId":"${INSTANCE}","State":{"Code":0,"Name":"pending"}}]}' ;;
  "ec2 terminate-instances") echo '{"TerminatingInstances":[{"InstanceId":"${INSTANCE}","CurrentState":{"Code":32,"Name":"shutting-down"}}]}' ;;
  "ssm start-session") exit ${sessionExit} ;;
esac
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, 'session-manager-plugin'), '#!/bin/sh\n', { mode: 0o755 });
  return {
    dir,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

const baseEnv = (dir: string) => ({
  PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin`,
  AWS_PROFILE: 'operator',
  AWS_EC2_METADATA_DISABLED: 'true',
});

async function breakGlass(argv: string[], env: NodeJS.ProcessEnv, interrupt = false) {
  const out: string[] = [];
  const err: string[] = [];
  const command = breakGlassCommand({
    clients: (region) =>
      awsBreakGlassClients(
        region,
        new CloudFormationClient({ region }),
        new STSClient({
          region,
          credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
        }),
      ),
    runtime: {
      ...processRuntime,
      sleep: async () => undefined,
      onInterrupt: (handler) => {
        if (interrupt) handler();
        return () => undefined;
      },
    },
    askCode: async () => '123456',
  });
  const code = await invoke(command, argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const ARGS = [
  '--stage',
  'staging',
  '--reason',
  'INC-4711 restore a deleted entry',
  '--mfa-serial',
  SERIAL,
];

beforeEach(() => {
  sts.reset();
  cfn.reset();
  ssm.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'Bulwark-Staging-Security' }).resolves({
    Stacks: [
      {
        StackName: 'Bulwark-Staging-Security',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-01T10:00:00Z'),
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({
          OutputKey,
          OutputValue,
        })),
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({
    UserId: 'AIDAJQABLZS4A3QDU576Q',
    Account: ACCOUNT,
    Arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: ROLE_KEY,
      SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
      SessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN',
      Expiration: new Date('2026-12-03T11:00:00Z'),
    },
    AssumedRoleUser: {
      AssumedRoleId: 'AROA3XFRBF535PLBIFPI4:break-glass-alice',
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/bulwark-staging-break-glass/break-glass-alice`,
    },
    PackedPolicySize: 6,
  });
  ssm
    .on(DescribeInstanceInformationCommand)
    .resolvesOnce({ InstanceInformationList: [] })
    .resolves({
      InstanceInformationList: [
        {
          InstanceId: INSTANCE,
          PingStatus: 'Online',
          PlatformType: 'Linux',
          AgentVersion: '3.3.1000.0',
        },
      ],
    });
});

describe('npm run break-glass', () => {
  it('assumes the role with MFA and the reason, launches, opens the recorded session and terminates', async () => {
    const tools = fakeTools();

    const r = await breakGlass(ARGS, baseEnv(tools.dir));

    expect(r.code).toBe(0);
    const assume = sts.commandCalls(AssumeRoleCommand)[0].args[0].input;
    expect(assume).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'break-glass-alice',
      DurationSeconds: 3600,
      SerialNumber: SERIAL,
      TokenCode: '123456',
      Tags: [{ Key: 'bulwark:reason', Value: 'INC-4711 restore a deleted entry' }],
    });
    const calls = tools.calls();
    expect(calls.map((c) => c.split(' | ')[0])).toEqual([
      expect.stringMatching(
        /^ec2 run-instances --launch-template LaunchTemplateId=lt-0123456789abcdef0,Version=\$Default --subnet-id subnet-0(aaa1111|bbb2222) --count 1 --region eu-west-1 --output json$/,
      ),
      `ssm start-session --target ${INSTANCE} --document-name bulwark-staging-break-glass-session --region eu-west-1`,
      `ec2 terminate-instances --instance-ids ${INSTANCE} --region eu-west-1 --output json`,
    ]);
    // The role's credentials, and only in the child: the operator's profile is dropped.
    for (const c of calls) {
      expect(c).toContain(`key=${ROLE_KEY} profile=none token=FwoGZXIvYXdzEXAMPLETOKEN`);
    }
    expect(ssm.commandCalls(DescribeInstanceInformationCommand)).toHaveLength(2);
    expect(r.stderr).toContain('log group /bulwark/staging/break-glass/sessions');
    expect(r.stderr).toContain(`s3://${OUTPUTS[K.breakGlassBucketName]}/break-glass/staging/`);
    expect(r.stderr).toContain(
      'pgaudit in the database log group /aws/rds/instance/bulwark-staging-db/postgresql',
    );
    expect(r.stderr).toContain('on-call is paged');
    expect(r.stderr).toContain(`Terminated ${INSTANCE}.`);
    expect(r.stderr).not.toContain('wJalrXUtnFEMI');
  });

  it('terminates the instance when the session ends with an error, and exits 1', async () => {
    const tools = fakeTools(255);

    const r = await breakGlass(ARGS, baseEnv(tools.dir));

    expect(r.code).toBe(1);
    expect(tools.calls().at(-1)).toMatch(
      /^ec2 terminate-instances --instance-ids i-0abcd1234efgh5678/,
    );
  });

  it('terminates the instance on Ctrl-C before the session opens', async () => {
    const tools = fakeTools();

    const r = await breakGlass(ARGS, baseEnv(tools.dir), true);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Interrupted before the session opened.');
    const calls = tools.calls().map((c) => c.split(' ')[1]);
    expect(calls).toEqual(['run-instances', 'terminate-instances']);
  });

  it('fails without launching anything when the MFA code is refused', async () => {
    const tools = fakeTools();
    sts.on(AssumeRoleCommand).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      }),
    );

    const r = await breakGlass(ARGS, baseEnv(tools.dir));

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Cannot assume ${ROLE}: AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized`,
    );
    expect(tools.calls()).toEqual([]);
  });

  it('refuses credentials of another account', async () => {
    const tools = fakeTools();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/bob' });

    const r = await breakGlass(ARGS, baseEnv(tools.dir));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the credentials are for account 999999999999'.replace('the', 'The'),
    );
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('prints the plan and what is recorded where with --plan, changing nothing', async () => {
    const tools = fakeTools();

    const r = await breakGlass(
      ['--stage', 'staging', '--reason', 'INC-4711', '--plan'],
      baseEnv(tools.dir),
    );

    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Plan (nothing changed): assume ${ROLE} with MFA and reason "INC-4711"`,
    );
    expect(r.stdout).toContain(
      'every command and its output: log group /bulwark/staging/break-glass/sessions',
    );
    expect(sts.calls()).toHaveLength(0);
    expect(tools.calls()).toEqual([]);
  });

  it('exits 2 saying so when no AWS credentials are configured', async () => {
    const tools = fakeTools();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));
    const env = {
      PATH: baseEnv(tools.dir).PATH,
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
      AWS_CONFIG_FILE: path.join(home, 'none'),
    };

    const r = await breakGlass(ARGS, env);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'break-glass needs a real AWS account, and no AWS credentials are configured',
    );
  });

  it('exits 2 naming the missing tools when the Session Manager plugin is not on PATH', async () => {
    const tools = fakeTools();
    fs.rmSync(path.join(tools.dir, 'session-manager-plugin'));

    const r = await breakGlass(ARGS, { ...baseEnv(tools.dir), PATH: tools.dir });

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('break-glass needs session-manager-plugin on PATH');
    expect(sts.calls()).toHaveLength(0);
  });

  it('exits 2 when the stage is not deployed with the break-glass outputs', async () => {
    const tools = fakeTools();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Bulwark-Staging-Security',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [],
        },
      ],
    });

    const r = await breakGlass(ARGS, baseEnv(tools.dir));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no break-glass outputs (BreakGlassRoleArn');
  });

  it('exits 2 when the Security stack does not exist, saying to deploy first', async () => {
    const tools = fakeTools();
    // CloudFormation's DescribeStacks answer for a stack that does not exist.
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id Bulwark-Staging-Security does not exist'), {
        name: 'ValidationError',
        $fault: 'client',
      }),
    );

    const r = await breakGlass(ARGS, baseEnv(tools.dir));

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Stack Bulwark-Staging-Security is not deployed');
    expect(sts.calls().filter((c) => c.args[0].constructor.name === 'AssumeRoleCommand')).toEqual(
      [],
    );
  });

  it.each([
    [['--stage', 'staging', '--mfa-serial', SERIAL], '--reason is required'],
    [['--stage', 'staging', '--reason', 'x', '--mfa-serial', SERIAL], '--reason must be 3 to 256'],
    [
      ['--stage', 'staging', '--reason', 'INC-1; rm -rf /', '--mfa-serial', SERIAL],
      '--reason must be',
    ],
    [
      ['--stage', 'staging', '--reason', 'INC-4711'],
      '--mfa-serial (or BULWARK_MFA_SERIAL) is required',
    ],
    [
      ['--stage', 'staging', '--reason', 'INC-4711', '--mfa-serial', 'alice'],
      'is not an MFA device ARN',
    ],
    [[...ARGS, '--mfa-code', '12ab56'], '--mfa-code must be the six digits'],
    [[...ARGS, '--bogus'], 'unknown option --bogus'],
  ])('rejects %j with exit 2 and one line', async (argv, problem) => {
    const tools = fakeTools();

    const r = await breakGlass(argv, baseEnv(tools.dir));

    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(problem);
  });
});
