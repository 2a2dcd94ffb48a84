import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListTypesCommand } from '@aws-sdk/client-cloudformation';
import { CDK_JSON } from '../../../scripts/lib/project-stages';
import { SHARED_ASSEMBLY_DIR } from '../../support/paths';
import { samlMetadataProblem } from '../../../scripts/lib/preflight/checks/saml';
import {
  IDP_METADATA,
  type World,
  answerFrom,
  aws,
  preflight,
  readyWorld,
  stageConfig,
} from './world';

const staging = stageConfig('staging');
const production = stageConfig('production');

let metadata = IDP_METADATA;
beforeEach(() => {
  metadata = IDP_METADATA;
  // Cognito fetches the SAML metadata URL at deploy time; preflight reads it first.
  jest
    .spyOn(globalThis, 'fetch')
    .mockImplementation(async () => new Response(metadata, { status: 200 }));
});
afterEach(() => jest.restoreAllMocks());

const run = (stage: string, world: World, extra: string[] = []) => {
  answerFrom(world);
  return preflight(['--stage', stage, '--assembly', SHARED_ASSEMBLY_DIR, '--json', ...extra]);
};
const failures = (r: Awaited<ReturnType<typeof run>>) =>
  r.results().filter((x) => x.result === 'FAIL');

describe('npm run preflight', () => {
  it.each([
    ['staging', staging],
    ['production', production],
  ] as const)(
    'passes a bootstrapped account with room for %s, skipping what does not apply',
    async (name, cfg) => {
      const r = await run(name, readyWorld(cfg));
      expect(failures(r)).toEqual([]);
      expect(r.code).toBe(0);
      const checks = r.results().map((x) => x.check);
      for (const region of [cfg.region, cfg.drRegion, 'us-east-1']) {
        expect(checks).toContain(`CDK bootstrap in ${region} (version >= 6)`);
        expect(checks).toContain(`Control Tower proactive controls in ${region}`);
      }
      expect(checks).toContain(`Lambda runtime nodejs24.x offered in ${cfg.region}`);
      expect(checks).toContain(
        `bucket bulwark-${name}-backups-${cfg.account}-${cfg.drRegion} is free (Bulwark-${cfg.title}-Recovery)`,
      );
      const skipped = r
        .results()
        .filter((x) => x.result === 'SKIP')
        .map((x) => x.check);
      expect(skipped).toEqual(
        name === 'staging'
          ? [
              'Shield Advanced subscription',
              'hosted zone of the domain',
              'SAML identity provider metadata',
            ]
          : [],
      );
    },
  );

  it('fails a region that is not bootstrapped, or bootstrapped too long ago, with the bootstrap command', async () => {
    const world = readyWorld(staging);
    delete world.bootstrap['us-east-1'];
    world.bootstrap['eu-central-1'] = '5';
    const r = await run('staging', world);
    expect(r.code).toBe(1);
    expect(failures(r)).toEqual([
      expect.objectContaining({
        check: 'CDK bootstrap in eu-central-1 (version >= 6)',
        evidence: '/cdk-bootstrap/hnb659fds/version = 5; the assembly needs 6',
        fix: 'npm run cdk -- bootstrap aws://111111111111/eu-central-1',
      }),
      expect.objectContaining({
        check: 'CDK bootstrap in us-east-1 (version >= 6)',
        evidence: expect.stringContaining('us-east-1 is not bootstrapped'),
        fix: 'npm run cdk -- bootstrap aws://111111111111/us-east-1',
      }),
    ]);
  });

  it("fails a new account's concurrency quota of 10, naming the quota increase to ask for", async () => {
    const world = readyWorld(production);
    world.lambda[production.region] = { limit: 10, unreserved: 10 };
    const [f] = failures(await run('production', world));
    // Production reserves 100 (API) + 1 (outbox drainer) + 1 (migrator) + 2 (invalidator) + 2 (threat response) + 1 (JWKS); its backup runs as a Fargate task.
    expect(f).toEqual(
      expect.objectContaining({
        check: `Lambda concurrency in ${production.region} leaves 100 unreserved`,
        evidence: 'quota 10, unreserved 10, the stage reserves 107 more: -97 would stay unreserved',
        fix: `aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 207 --region ${production.region}`,
      }),
    );
  });

  it('counts the reservations of stacks already deployed as taken', async () => {
    const world = readyWorld(production);
    world.lambda[production.region] = { limit: 1000, unreserved: 150 };
    world.stacks['Bulwark-Production-App'] = { status: 'UPDATE_COMPLETE' };
    const r = await run('production', world);
    // Only the Security stack's 3 are still to reserve: 147 stay unreserved.
    expect(r.results().find((x) => x.check.startsWith('Lambda concurrency'))).toMatchObject({
      result: 'PASS',
      evidence: 'quota 1000, unreserved 150, the stage reserves 3 more: 147 would stay unreserved',
    });
  });

  it("fails a region that does not offer the functions' runtime", async () => {
    const world = readyWorld(staging);
    world.unknownRuntimes = ['nodejs24.x'];
    const checks = failures(await run('staging', world)).map((f) => f.check);
    expect(checks).toContain(`Lambda runtime nodejs24.x offered in ${staging.region}`);
  });

  it('fails account singletons that contradict create | existing', async () => {
    const world = readyWorld(staging);
    world.detectors = ['12abc34d567e8fa901bc2d34e56789f0'];
    world.securityHub = `arn:aws:securityhub:${staging.region}:111111111111:hub/default`;
    world.recorders = [
      {
        name: 'default',
        roleARN:
          'arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
      },
    ];
    const f = failures(await run('staging', world));
    expect(f.map((x) => [x.check, x.fix])).toEqual([
      [
        `GuardDuty detector (create) in ${staging.region}`,
        'set "guardDuty": "existing" for stage staging in cdk.json',
      ],
      [
        `Security Hub (create) in ${staging.region}`,
        'set "securityHub": "existing" for stage staging in cdk.json',
      ],
      [
        `AWS Config recorder (create) in ${staging.region}`,
        'set "awsConfig": "existing" for stage staging in cdk.json',
      ],
    ]);
  });

  it("accepts the singletons this stage's own Security stack created", async () => {
    const world = readyWorld(staging);
    world.detectors = ['d1'];
    world.recorders = [{ name: 'Bulwark-Staging-Security-ConfigRecorder' }];
    world.securityHub = `arn:aws:securityhub:${staging.region}:111111111111:hub/default`;
    world.stacks['Bulwark-Staging-Security'] = {
      status: 'UPDATE_COMPLETE',
      outputs: {
        DetectorId: 'd1',
        ConfigRecorderName: 'Bulwark-Staging-Security-ConfigRecorder',
        UserPoolId: 'eu-west-1_Pool',
      },
    };
    world.domains[staging.people.domainPrefix] = 'eu-west-1_Pool';
    expect(failures(await run('staging', world))).toEqual([]);
  });

  describe('the GitHub OIDC provider (delivery.oidcProvider)', () => {
    /** A cdk.json whose staging block `change` edited, in a temporary file. */
    const withStaging = (change: (s: Record<string, any>) => void) => {
      const json = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8'));
      change(json.context.stages.staging);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-')), 'cdk.json');
      fs.writeFileSync(file, JSON.stringify(json));
      return file;
    };
    const runWith = (world: World, cdkJson: string) => {
      answerFrom(world);
      return preflight(
        ['--stage', 'staging', '--assembly', SHARED_ASSEMBLY_DIR, '--json'],
        process.env,
        cdkJson,
      );
    };
    const check = (mode: string) => `GitHub OIDC provider (${mode})`;
    const arn = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

    it('passes create on an account without one, and fails it on an account with one', async () => {
      const fresh = await run('staging', readyWorld(staging));
      expect(fresh.results().find((x) => x.check === check('create'))).toMatchObject({
        control: 'SDLC-CHANGE',
        result: 'PASS',
      });
      const world = readyWorld(staging);
      world.githubProvider = ['sts.amazonaws.com'];
      expect(failures(await run('staging', world)).map((x) => [x.check, x.fix])).toEqual([
        [
          check('create'),
          'set "delivery": { "oidcProvider": "existing" } for stage staging in cdk.json',
        ],
      ]);
    });

    it("accepts the provider this stage's own DeployAccess stack created", async () => {
      const world = readyWorld(staging);
      world.githubProvider = ['sts.amazonaws.com'];
      world.stacks['Bulwark-Staging-DeployAccess'] = { status: 'CREATE_COMPLETE' };
      expect(failures(await run('staging', world))).toEqual([]);
    });

    it('fails existing when there is none, or when it does not admit the STS audience', async () => {
      const cdkJson = withStaging((s) => (s.delivery.oidcProvider = 'existing'));
      const none = failures(await runWith(readyWorld(staging), cdkJson));
      expect(none.map((x) => [x.check, x.evidence])).toEqual([
        [check('existing'), 'the account has no token.actions.githubusercontent.com provider'],
      ]);
      const world = readyWorld(staging);
      world.githubProvider = ['sigstore'];
      const wrong = failures(await runWith(world, cdkJson));
      expect(wrong.map((x) => x.fix)).toEqual([
        `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id sts.amazonaws.com`,
      ]);
      world.githubProvider = ['sigstore', 'sts.amazonaws.com'];
      expect(failures(await runWith(world, cdkJson))).toEqual([]);
    });
  });

  it('fails Shield Advanced without an active subscription', async () => {
    const world = readyWorld(production);
    world.shield = 'INACTIVE';
    expect(failures(await run('production', world)).map((f) => f.check)).toEqual([
      'Shield Advanced subscription',
    ]);
  });

  it('fails a hosted zone that is missing, private or of another name', async () => {
    for (const zone of [
      undefined,
      { name: 'content.example.com.', private: true },
      { name: 'example.org.' },
    ]) {
      const world = readyWorld(production);
      world.zones = zone ? { [production.edge.hostedZone!.id]: zone } : {};
      expect(failures(await run('production', world)).map((f) => f.check)).toEqual([
        'hosted zone of the domain',
      ]);
    }
  });

  it('fails an engine version the instance class cannot be ordered with', async () => {
    const world = readyWorld(staging);
    world.orderable = [];
    const [f] = failures(await run('staging', world));
    expect(f.check).toBe(
      `PostgreSQL 18.3 orderable as db.${staging.database.instanceClass} in ${staging.region}`,
    );
    expect(f.fix).toContain('aws rds describe-orderable-db-instance-options');
  });

  it('fails names that are taken: the sign-in domain prefix, the replica bucket, a leftover log group', async () => {
    const world = readyWorld(staging);
    world.domains[staging.people.domainPrefix] = 'eu-west-1_SomeoneElse';
    world.buckets[`bulwark-staging-backups-${staging.account}-${staging.drRegion}`] = 'theirs';
    world.logGroups = ['/aws/rds/instance/bulwark-staging-db/postgresql'];
    const f = failures(await run('staging', world));
    expect(f.map((x) => x.check)).toEqual([
      `Cognito domain prefix ${staging.people.domainPrefix} in ${staging.region}`,
      `bucket bulwark-staging-backups-${staging.account}-${staging.drRegion} is free (Bulwark-Staging-Recovery)`,
      'log group /aws/rds/instance/bulwark-staging-db/postgresql is free (Bulwark-Staging-Data)',
    ]);
    expect(f[2].fix).toBe(
      `if it is left from a failed deploy of this stage: aws logs delete-log-group --log-group-name /aws/rds/instance/bulwark-staging-db/postgresql --region ${staging.region}`,
    );
  });

  it('does not judge the names of stacks already deployed (they are their own)', async () => {
    const world = readyWorld(staging);
    world.logGroups = ['/aws/rds/instance/bulwark-staging-db/postgresql'];
    world.dbInstances = ['bulwark-staging-db'];
    world.stacks['Bulwark-Staging-Data'] = { status: 'UPDATE_COMPLETE' };
    expect(failures(await run('staging', world))).toEqual([]);
  });

  it('judges the names of a stack whose first creation failed', async () => {
    const world = readyWorld(staging);
    world.dbInstances = ['bulwark-staging-db'];
    world.stacks['Bulwark-Staging-Data'] = { status: 'ROLLBACK_FAILED' };
    expect(failures(await run('staging', world)).map((f) => f.check)).toEqual([
      'database instance bulwark-staging-db is free (Bulwark-Staging-Data)',
    ]);
  });

  it('fails SAML metadata that is not identity-provider metadata', async () => {
    metadata = '<EntityDescriptor entityID="x"><SPSSODescriptor/></EntityDescriptor>';
    const [f] = failures(await run('production', readyWorld(production)));
    expect(f).toMatchObject({
      check: 'SAML identity provider metadata',
      evidence:
        'https://idp.example.com/saml/metadata: no IDPSSODescriptor: this is not an identity provider',
    });
  });

  describe('Control Tower proactive controls', () => {
    const hook = (controls: string) =>
      JSON.stringify({
        CloudFormationConfiguration: {
          HookConfiguration: {
            TargetStacks: 'ALL',
            FailureMode: 'FAIL',
            Properties: { ControlsToApply: controls },
          },
        },
      });

    it('fails naming each enabled control the templates fail by design, and the resources it rejects', async () => {
      const world = readyWorld(production);
      world.controlTowerHook[production.region] = hook('CT.S3.PR.10,CT.EC2.PR.17,CT.RDS.PR.20');
      const [f] = failures(await run('production', world));
      expect(f.check).toBe(`Control Tower proactive controls in ${production.region}`);
      expect(f.evidence).toBe(
        'CT.RDS.PR.20 rejects Bulwark-Production-Data/Database/Primary; CT.S3.PR.10 rejects Bulwark-Production-Data/AccessLogBucket',
      );
      expect(f.fix).toContain('disable CT.RDS.PR.20, CT.S3.PR.10');
    });

    it('passes controls the templates meet, and findings that only a static reading has', async () => {
      const world = readyWorld(production);
      // CT.CLOUDWATCH.PR.3 (log group encryption) is acknowledged only because the key is
      // imported from another stack; the hook sees the resolved key.
      world.controlTowerHook[production.region] = hook(
        'CT.EC2.PR.17, CT.CLOUDWATCH.PR.3, CT.KMS.PR.1',
      );
      expect(failures(await run('production', world))).toEqual([]);
    });

    it('fails when the hook is active but its controls cannot be read, listing those the stage fails', async () => {
      const world = readyWorld(staging);
      world.controlTowerHook['us-east-1'] = undefined;
      const [f] = failures(await run('staging', world));
      expect(f.check).toBe('Control Tower proactive controls in us-east-1');
      expect(f.evidence).toMatch(
        /cannot be read; the stage fails CT\.CLOUDFRONT\.PR\.1, .*CT\.SQS\.PR\.1 by design/,
      );
      expect(aws.cloudFormation.commandCalls(ListTypesCommand).length).toBeGreaterThan(0);
    });
  });

  describe('when it cannot run', () => {
    it('exits 2 for another account, before any other call', async () => {
      const world = readyWorld(staging);
      world.account = '333333333333';
      const r = await run('staging', world);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'The credentials are for account 333333333333, but stage staging is deployed in account 111111111111',
      );
      expect(aws.ssm.calls()).toHaveLength(0);
    });

    it('exits 2 without credentials, naming what to configure', async () => {
      const r = await preflight(['--stage', 'staging'], {
        HOME: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/c',
        AWS_CONFIG_FILE: '/nonexistent/f',
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no AWS credentials are configured');
    });

    it('exits 2 when the assembly is missing, saying how to make it', async () => {
      answerFrom(readyWorld(staging));
      const r = await preflight(['--stage', 'staging', '--assembly', '/nonexistent/cdk.out']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Synthesize first: npm run synth -- -c stage=staging');
    });

    it.each([
      [
        ['--stage', 'staging', '--stgae', 'production'],
        'preflight: unknown option --stgae (see --help)',
      ],
      [['--stage'], 'preflight: option --stage needs a value (see --help)'],
      [['--stage', 'nope'], 'preflight: no stage nope in cdk.json (stages: staging, production)'],
      [[], 'preflight: --stage is required (see --help)'],
    ])('rejects %j with exit 2 and one line naming it', async (argv, line) => {
      const r = await preflight(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    });

    it('answers --help with exit 0', async () => {
      const r = await preflight(['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        'Exit codes: 0 every check PASS or SKIP, 1 any FAIL, 2 cannot run',
      );
    });
  });

  describe('SAML metadata', () => {
    it.each([
      ['not XML', 'not well-formed XML'],
      [
        '<EntityDescriptor><IDPSSODescriptor><SingleSignOnService Location="http://x"/></IDPSSODescriptor></EntityDescriptor>',
        'no SingleSignOnService with an https:// Location',
      ],
    ])('rejects %s', (xml, problem) => {
      expect(samlMetadataProblem(xml)).toContain(problem);
    });
    it('accepts identity-provider metadata with a sign-on service and a certificate', () => {
      expect(samlMetadataProblem(IDP_METADATA)).toBeUndefined();
    });
  });
});
