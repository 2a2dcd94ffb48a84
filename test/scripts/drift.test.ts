/**
 * `npm run drift` against mocked CloudFormation and STS (`test/support/drift-world.ts`),
 * answering with payloads shaped as the CloudFormation API Reference documents
 * DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts.
 * Nothing reaches AWS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { stageStacks } from '../../lib/stage-layout';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../../scripts/lib/cli';
import {
  type DriftRun,
  type StackAnswer,
  STACKS,
  accessDenied,
  answerWith,
  cfg,
  cfn,
  detectionId,
  drift,
  drifted,
  inSync,
  missingStack,
  parsed,
  resourceDrift,
  stackNamed,
  sts,
} from '../support/drift-world';

const resultOf = (run: DriftRun, name: string) =>
  parsed(run).results.find((r) => r.check.startsWith(`${name} (`))!;

const regionOf = (call: { thisValue: unknown }) =>
  (call.thisValue as { config: { region: () => Promise<string> } }).config.region();

describe('npm run drift', () => {
  it('passes every stack of the stage in sync, each detected in its own region', async () => {
    answerWith();

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_OK);
    const { results, drifts } = parsed(run);
    expect(drifts).toEqual([]);
    expect(results).toEqual(
      STACKS.map((s) => ({
        control: 'SDLC-CHANGE',
        check: `${s.name} (${s.region}) matches its template`,
        result: 'PASS',
        evidence: 'IN_SYNC: no resource modified or deleted',
      })),
    );
    const detections = cfn.commandCalls(DetectStackDriftCommand);
    const detected = await Promise.all(
      detections.map(async (c) => [c.args[0].input.StackName, await regionOf(c)]),
    );
    expect(detected.sort()).toEqual(STACKS.map((s) => [s.name, s.region]).sort());
    expect(new Set(STACKS.map((s) => s.region))).toEqual(
      new Set([cfg.region, cfg.drRegion, 'us-east-1']),
    );
    for (const c of cfn.commandCalls(DescribeStackDriftDetectionStatusCommand)) {
      const s = STACKS.find((x) => detectionId(x) === c.args[0].input.StackDriftDetectionId)!;
      expect(await regionOf(c)).toBe(s.region);
    }
    expect(cfn.commandCalls(DescribeStackResourceDriftsCommand)).toHaveLength(0);
    expect(run.stderr).toContain(
      `Detecting drift of stage staging (account ${cfg.account}; eu-west-1, eu-central-1, us-east-1) with credentials from environment variables`,
    );
    expect(run.stderr).toContain(`${STACKS.length} checks: ${STACKS.length} PASS, 0 FAIL, 0 SKIP`);
  });

  it('detects the primary-region stacks in the region given with --region', async () => {
    answerWith();

    const run = await drift(['--stage', 'staging', '--region', 'eu-west-2', '--json']);

    expect(run.code).toBe(EXIT_OK);
    const regions = new Map<string, string>();
    for (const c of cfn.commandCalls(DetectStackDriftCommand)) {
      regions.set(c.args[0].input.StackName!, await regionOf(c));
    }
    expect(Object.fromEntries(regions)).toEqual(
      Object.fromEntries(stageStacks(cfg, 'eu-west-2').map((s) => [s.name, s.region])),
    );
    expect(regions.get('Bulwark-Staging-Data')).toBe('eu-west-2');
    expect(regions.get('Bulwark-Staging-Recovery')).toBe(cfg.drRegion);
  });

  it('prints a table without a drift section when all is in sync', async () => {
    answerWith();

    const run = await drift(['--stage', 'staging']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toMatch(/^CONTROL\s+CHECK\s+RESULT\s+EVIDENCE/);
    for (const s of STACKS) {
      expect(run.stdout).toMatch(
        new RegExp(`SDLC-CHANGE\\s+${s.name} \\(${s.region}\\) matches its template\\s+PASS`),
      );
    }
    expect(run.stdout).not.toContain('Drifted resources');
  });

  it('polls a detection in progress every 5 s until it completes', async () => {
    const data = stackNamed('Bulwark-Staging-Data');
    answerWith({
      [data.name]: {
        statuses: [
          { DetectionStatus: 'DETECTION_IN_PROGRESS' },
          { DetectionStatus: 'DETECTION_IN_PROGRESS' },
          { DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' },
        ],
        pages: [[]],
      },
    });

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_OK);
    const polls = cfn
      .commandCalls(DescribeStackDriftDetectionStatusCommand)
      .filter((c) => c.args[0].input.StackDriftDetectionId === detectionId(data));
    expect(polls).toHaveLength(3);
    expect(run.sleeps).toEqual([5000, 5000]);
    expect(resultOf(run, data.name).result).toBe('PASS');
  });

  it('waits with the poll interval it is given', async () => {
    const app = stackNamed('Bulwark-Staging-App');
    answerWith({
      [app.name]: {
        statuses: [
          { DetectionStatus: 'DETECTION_IN_PROGRESS' },
          { DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' },
        ],
        pages: [[]],
      },
    });

    const run = await drift(['--stage', 'staging', '--json'], { pollIntervalMs: 250 });

    expect(run.code).toBe(EXIT_OK);
    expect(run.sleeps).toEqual([250]);
  });

  describe('a drifted stack', () => {
    const data = stackNamed('Bulwark-Staging-Data');
    const longPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
    }).repeat(3);
    const answer = () =>
      drifted([
        resourceDrift(data, 'AssetsBucket1A2B3C4D', 'AWS::S3::Bucket', 'MODIFIED', [
          {
            PropertyPath:
              '/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm',
            ExpectedValue: 'aws:kms',
            ActualValue: 'AES256',
            DifferenceType: 'NOT_EQUAL',
          },
          {
            PropertyPath: '/PublicAccessBlockConfiguration/BlockPublicPolicy',
            ExpectedValue: 'true',
            ActualValue: '',
            DifferenceType: 'REMOVE',
          },
        ]),
        resourceDrift(data, 'AssetsBucketPolicy5E6F7A8B', 'AWS::S3::BucketPolicy', 'MODIFIED', [
          {
            PropertyPath: '/PolicyDocument',
            ExpectedValue: '{}',
            ActualValue: longPolicy,
            DifferenceType: 'NOT_EQUAL',
          },
        ]),
        resourceDrift(data, 'BackupRestoreRole9C0D1E2F', 'AWS::IAM::Role', 'DELETED'),
      ]);

    it('fails that stack with each resource and property, exit 1, the others pass', async () => {
      answerWith({ [data.name]: answer() });

      const run = await drift(['--stage', 'staging', '--json']);

      expect(run.code).toBe(EXIT_FAILED);
      const result = resultOf(run, data.name);
      expect(result).toEqual({
        control: 'SDLC-CHANGE',
        check: `${data.name} (${data.region}) matches its template`,
        result: 'FAIL',
        evidence:
          'DRIFTED: 3 resources; AssetsBucket1A2B3C4D (AWS::S3::Bucket) MODIFIED: ' +
          '/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm, ' +
          '/PublicAccessBlockConfiguration/BlockPublicPolicy; ' +
          'AssetsBucketPolicy5E6F7A8B (AWS::S3::BucketPolicy) MODIFIED: /PolicyDocument; ' +
          'BackupRestoreRole9C0D1E2F (AWS::IAM::Role) DELETED',
        fix: expect.stringContaining('redeploy the stack through the deploy workflow'),
      });
      expect(
        parsed(run)
          .results.filter((r) => r.check !== result.check)
          .map((r) => r.result),
      ).toEqual(STACKS.slice(1).map(() => 'PASS'));
      expect(parsed(run).drifts).toEqual([
        {
          stack: data.name,
          region: data.region,
          logicalId: 'AssetsBucket1A2B3C4D',
          type: 'AWS::S3::Bucket',
          status: 'MODIFIED',
          differences: [
            {
              path: '/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm',
              type: 'NOT_EQUAL',
              expected: 'aws:kms',
              actual: 'AES256',
            },
            {
              path: '/PublicAccessBlockConfiguration/BlockPublicPolicy',
              type: 'REMOVE',
              expected: 'true',
              actual: '',
            },
          ],
        },
        {
          stack: data.name,
          region: data.region,
          logicalId: 'AssetsBucketPolicy5E6F7A8B',
          type: 'AWS::S3::BucketPolicy',
          status: 'MODIFIED',
          differences: [
            { path: '/PolicyDocument', type: 'NOT_EQUAL', expected: '{}', actual: longPolicy },
          ],
        },
        {
          stack: data.name,
          region: data.region,
          logicalId: 'BackupRestoreRole9C0D1E2F',
          type: 'AWS::IAM::Role',
          status: 'DELETED',
          differences: [],
        },
      ]);
      expect(cfn.commandCalls(DescribeStackResourceDriftsCommand)[0].args[0].input).toEqual({
        StackName: data.name,
        StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
      });
      const [call] = cfn.commandCalls(DescribeStackResourceDriftsCommand);
      expect(await regionOf(call)).toBe(data.region);
    });

    it('lists one line per property difference after the table, values cut short', async () => {
      answerWith({ [data.name]: answer() });

      const run = await drift(['--stage', 'staging']);

      expect(run.code).toBe(EXIT_FAILED);
      const [table, section] = run.stdout.split('\n\nDrifted resources:\n');
      expect(table).toMatch(
        new RegExp(`${data.name} \\(${data.region}\\) matches its template\\s+FAIL\\s+DRIFTED`),
      );
      expect(table).toContain('fix: redeploy the stack through the deploy workflow');
      const lines = section.split('\n');
      expect(lines).toEqual([
        `${data.name} (${data.region}) AssetsBucket1A2B3C4D AWS::S3::Bucket MODIFIED /BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm NOT_EQUAL: aws:kms -> AES256`,
        `${data.name} (${data.region}) AssetsBucket1A2B3C4D AWS::S3::Bucket MODIFIED /PublicAccessBlockConfiguration/BlockPublicPolicy REMOVE: true -> (none)`,
        `${data.name} (${data.region}) AssetsBucketPolicy5E6F7A8B AWS::S3::BucketPolicy MODIFIED /PolicyDocument NOT_EQUAL: {} -> ${longPolicy.slice(0, 117)}...`,
        `${data.name} (${data.region}) BackupRestoreRole9C0D1E2F AWS::IAM::Role DELETED`,
      ]);
      expect(run.stderr).toContain(
        `${STACKS.length} checks: ${STACKS.length - 1} PASS, 1 FAIL, 0 SKIP`,
      );
    });
  });

  it('reads every page of the resource drifts', async () => {
    const security = stackNamed('Bulwark-Staging-Security');
    answerWith({
      [security.name]: drifted(
        [
          resourceDrift(security, 'TrailBucketA1B2C3D4', 'AWS::S3::Bucket', 'MODIFIED', [
            {
              PropertyPath: '/VersioningConfiguration/Status',
              ExpectedValue: 'Enabled',
              ActualValue: 'Suspended',
              DifferenceType: 'NOT_EQUAL',
            },
          ]),
        ],
        [
          resourceDrift(security, 'AlertTopicE5F6A7B8', 'AWS::SNS::Topic', 'MODIFIED', [
            {
              PropertyPath: '/KmsMasterKeyId',
              ExpectedValue: 'alias/bulwark-alerts',
              ActualValue: '',
              DifferenceType: 'REMOVE',
            },
          ]),
        ],
      ),
    });

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_FAILED);
    expect(parsed(run).drifts.map((d) => [d.logicalId, d.differences[0].path])).toEqual([
      ['TrailBucketA1B2C3D4', '/VersioningConfiguration/Status'],
      ['AlertTopicE5F6A7B8', '/KmsMasterKeyId'],
    ]);
    const pages = cfn.commandCalls(DescribeStackResourceDriftsCommand);
    expect(pages.map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-1']);
    expect(resultOf(run, security.name).evidence).toContain('DRIFTED: 2 resources');
  });

  it('fails a stack whose detection failed, naming the reason and the drifts it found', async () => {
    const app = stackNamed('Bulwark-Staging-App');
    const edge = stackNamed('Bulwark-Staging-Edge');
    const reason =
      'Failed to detect drift on resource [ApiFunctionServiceRole12AB34CD]: User is not authorized to perform: iam:GetRole';
    answerWith({
      [app.name]: {
        statuses: [
          {
            DetectionStatus: 'DETECTION_FAILED',
            StackDriftStatus: 'DRIFTED',
            DetectionStatusReason: reason,
            DriftedStackResourceCount: 1,
          },
        ],
        pages: [
          [
            resourceDrift(
              app,
              'LoadBalancerSecurityGroup0A1B2C3D',
              'AWS::EC2::SecurityGroup',
              'MODIFIED',
              [
                {
                  PropertyPath: '/SecurityGroupIngress/1',
                  ExpectedValue: '',
                  ActualValue:
                    '{"CidrIp":"0.0.0.0/0","FromPort":22,"IpProtocol":"tcp","ToPort":22}',
                  DifferenceType: 'ADD',
                },
              ],
            ),
          ],
        ],
      },
      [edge.name]: {
        statuses: [
          {
            DetectionStatus: 'DETECTION_FAILED',
            StackDriftStatus: 'IN_SYNC',
            DetectionStatusReason: 'Failed to detect drift on resource [Distribution830FAC52]',
            DriftedStackResourceCount: 0,
          },
        ],
        pages: [[]],
      },
    });

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_FAILED);
    expect(resultOf(run, app.name)).toMatchObject({
      result: 'FAIL',
      evidence: `detection failed (DRIFTED): ${reason}; LoadBalancerSecurityGroup0A1B2C3D (AWS::EC2::SecurityGroup) MODIFIED: /SecurityGroupIngress/1`,
    });
    expect(resultOf(run, edge.name)).toMatchObject({
      result: 'FAIL',
      evidence:
        'detection failed (IN_SYNC): Failed to detect drift on resource [Distribution830FAC52]',
      fix: expect.stringContaining('read access'),
    });
    expect(parsed(run).drifts.map((d) => d.logicalId)).toEqual([
      'LoadBalancerSecurityGroup0A1B2C3D',
    ]);
    const read = cfn.commandCalls(DescribeStackResourceDriftsCommand);
    expect(read.map((c) => c.args[0].input.StackName)).toEqual([app.name]);
  });

  it('fails a stack it may not detect, and still checks the others', async () => {
    const recovery = stackNamed('Bulwark-Staging-Recovery');
    answerWith({ [recovery.name]: { ...inSync(), detectError: accessDenied(recovery) } });

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_FAILED);
    expect(resultOf(run, recovery.name)).toMatchObject({
      result: 'FAIL',
      evidence: expect.stringMatching(
        /^AccessDenied: User: .* is not authorized to perform: cloudformation:DetectStackDrift/,
      ),
    });
    expect(parsed(run).results.filter((r) => r.result === 'PASS')).toHaveLength(STACKS.length - 1);
    expect(cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(STACKS.length);
  });

  it('fails a stack whose detection is still in progress after 15 minutes', async () => {
    const network = stackNamed('Bulwark-Staging-Network');
    answerWith({
      [network.name]: { statuses: [{ DetectionStatus: 'DETECTION_IN_PROGRESS' }], pages: [[]] },
    });

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_FAILED);
    expect(resultOf(run, network.name)).toMatchObject({
      result: 'FAIL',
      evidence: `detection ${detectionId(network)} still in progress after 900 s`,
    });
    expect(run.sleeps.reduce((a, b) => a + b, 0)).toBe(15 * 60_000);
    expect(parsed(run).results.filter((r) => r.result === 'PASS')).toHaveLength(STACKS.length - 1);
  });

  it('runs at most 3 detections at once', async () => {
    const inProgressOnce = (): StackAnswer => ({
      statuses: [
        { DetectionStatus: 'DETECTION_IN_PROGRESS' },
        { DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' },
      ],
      pages: [[]],
    });
    const detections = answerWith(
      Object.fromEntries(STACKS.map((s) => [s.name, inProgressOnce()])),
    );

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_OK);
    expect(detections.most()).toBe(3);
    expect(cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(STACKS.length);
  });

  it('exits 2 naming the stacks that are not deployed', async () => {
    const edge = stackNamed('Bulwark-Staging-Edge');
    answerWith({ [edge.name]: { ...inSync(), detectError: missingStack(edge.name) } });

    const run = await drift(['--stage', 'staging', '--json']);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'Stage staging is not deployed: Bulwark-Staging-Edge (us-east-1) does not exist.',
    );
    expect(run.stderr).toContain('Deploy the stage first (npm run deploy -- --stage staging)');
  });

  it('exits 2 before detecting anything when the credentials are for another account', async () => {
    answerWith({}, '333333333333');

    const run = await drift(['--stage', 'staging']);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      `The credentials are for account 333333333333, but stage staging is deployed in account ${cfg.account}`,
    );
    expect(cfn.calls()).toHaveLength(0);
    expect(await regionOf(sts.commandCalls(GetCallerIdentityCommand)[0])).toBe(cfg.region);
  });

  it('says it needs an account and exits 2 when no credentials are configured', async () => {
    answerWith();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-drift-'));

    const run = await drift(['--stage', 'staging'], {
      env: {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
        AWS_CONFIG_FILE: path.join(home, 'config'),
      },
    });

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain(
      'drift needs a real AWS account, and no AWS credentials are configured',
    );
    expect(run.stdout).toBe('');
    expect(sts.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('answers --help with its usage, exit 0', async () => {
    const run = await drift(['--help']);

    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout.split('\n')[0]).toBe(
      'usage: npm run drift -- --stage <name> [--region <primary region>] [--json]',
    );
    expect(run.stdout).toContain('Exit codes: 0 every stack is in sync');
  });

  it.each([
    [['--stage', 'staging', '--stgae'], 'drift: unknown option --stgae (see --help)'],
    [['--stage', 'qa'], 'drift: no stage qa in cdk.json (stages: staging, production)'],
    [[], 'drift: --stage is required (see --help)'],
  ])('rejects %p with exit 2 and one line, without calling AWS', async (argv, line) => {
    answerWith();

    const run = await drift(argv);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toBe(line);
    expect(sts.calls()).toHaveLength(0);
  });

  it('rejects a region Bulwark does not deploy to', async () => {
    answerWith();

    const run = await drift(['--stage', 'staging', '--region', 'cn-north-1']);

    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toContain('--region cn-north-1 is not a region Bulwark deploys to');
  });
});
