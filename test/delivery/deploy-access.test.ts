import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  BOOTSTRAP_ROLES,
  DeployAccess,
  bootstrapRoleName,
} from '../../lib/constructs/deploy-access';
import { CONTROLS } from '../../lib/compliance/controls';
import { OUTPUT_KEYS } from '../../lib/stage-layout';
import { STAGES, onlyResource, resourcesOf, stackArtifact, template } from '../support/assembly';

const SETTINGS = {
  Staging: {
    account: '111111111111',
    environment: 'staging',
    regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
  },
  Production: {
    account: '222222222222',
    environment: 'production',
    regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
  },
} as const;
const REPOSITORY = 'example-org/bulwark';
const GITHUB = 'token.actions.githubusercontent.com';

describe.each(STAGES)('SDLC-CHANGE: keyless deploy access (%s)', (stage) => {
  const t = template(stage, 'DeployAccess');
  const { account, environment, regions } = SETTINGS[stage];
  const lower = stage.toLowerCase();
  const provider = onlyResource(t, 'AWS::IAM::OIDCProvider');
  const deployRole = onlyResource(t, 'AWS::IAM::Role', 'DeployAccessDeployRole');
  const readRole = onlyResource(t, 'AWS::IAM::Role', 'DeployAccessReadRole');
  const bootstrapArn = (role: string, region: string) =>
    `arn:aws:iam::${account}:role/${bootstrapRoleName(role as never, account, region)}`;

  it('is a termination-protected stack in the primary region', () => {
    const artifact = stackArtifact(stage, 'DeployAccess');
    expect(artifact.terminationProtection).toBe(true);
    expect(artifact.environment.region).toBe('eu-west-1');
  });

  it("creates GitHub's OIDC provider for the STS audience only", () => {
    expect(provider.Properties.Url).toBe(`https://${GITHUB}`);
    expect(provider.Properties.ClientIdList).toEqual(['sts.amazonaws.com']);
  });

  it('lets only jobs of the stage GitHub environment of the repository assume the deploy role', () => {
    expect(deployRole.Properties.RoleName).toBe(`bulwark-${lower}-deploy`);
    expect(deployRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: { Ref: provider.logicalId } },
        Condition: {
          StringEquals: {
            [`${GITHUB}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB}:sub`]: `repo:${REPOSITORY}:environment:${environment}`,
          },
        },
      },
    ]);
  });

  it('lets the deploy role do nothing but assume the CDK bootstrap roles of the stage regions', () => {
    const policies = deployRole.Properties.Policies as Array<{ PolicyDocument: any }>;
    expect(policies).toHaveLength(1);
    const statements = policies[0].PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Effect).toBe('Allow');
    expect(statements[0].Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect([...statements[0].Resource].sort()).toEqual(
      regions.flatMap((r) => BOOTSTRAP_ROLES.map((role) => bootstrapArn(role, r))).sort(),
    );
    expect(deployRole.Properties.ManagedPolicyArns).toBeUndefined();
    // No other policy is attached to it anywhere in the stack.
    expect(resourcesOf(t, 'AWS::IAM::Policy')).toEqual({});
    expect(resourcesOf(t, 'AWS::IAM::ManagedPolicy')).toEqual({});
  });

  it('lets only the default branch assume the read role, which may only assume the lookup role', () => {
    expect(readRole.Properties.RoleName).toBe(`bulwark-${lower}-delivery-read`);
    expect(
      readRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals,
    ).toEqual({
      [`${GITHUB}:aud`]: 'sts.amazonaws.com',
      [`${GITHUB}:sub`]: `repo:${REPOSITORY}:ref:refs/heads/main`,
    });
    const statements = readRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'AssumeLookupRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: bootstrapArn('lookup', 'eu-west-1'),
      },
    ]);
  });

  it('creates no user, access key or other principal', () => {
    for (const type of ['AWS::IAM::User', 'AWS::IAM::AccessKey', 'AWS::IAM::Group']) {
      expect(resourcesOf(t, type)).toEqual({});
    }
    expect(Object.keys(resourcesOf(t, 'AWS::IAM::Role'))).toHaveLength(2);
  });

  it('outputs both role ARNs', () => {
    const outputs = t.toJSON().Outputs;
    expect(outputs[OUTPUT_KEYS.DeployAccess.deployRoleArn].Value).toEqual({
      'Fn::GetAtt': [deployRole.logicalId, 'Arn'],
    });
    expect(outputs[OUTPUT_KEYS.DeployAccess.readRoleArn].Value).toEqual({
      'Fn::GetAtt': [readRole.logicalId, 'Arn'],
    });
  });
});

describe('DeployAccess with the account existing OIDC provider', () => {
  const app = new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
  const stack = new Stack(app, 'Test', { env: { account: '333333333333', region: 'eu-west-1' } });
  new DeployAccess(stack, 'Access', {
    repository: 'acme/cms',
    environment: 'prod',
    branch: 'trunk',
    oidcProvider: 'existing',
    deployRoleName: 'deploy',
    readRoleName: 'read',
    regions: ['eu-west-1', 'us-east-1'],
    primaryRegion: 'eu-west-1',
  });
  const t = Template.fromStack(stack);

  it('creates no provider and trusts the account provider by its ARN', () => {
    expect(resourcesOf(t, 'AWS::IAM::OIDCProvider')).toEqual({});
    const roles = Object.values(resourcesOf(t, 'AWS::IAM::Role'));
    expect(roles.map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal)).toEqual([
      { Federated: `arn:aws:iam::333333333333:oidc-provider/${GITHUB}` },
      { Federated: `arn:aws:iam::333333333333:oidc-provider/${GITHUB}` },
    ]);
    expect(
      roles.map(
        (r) =>
          r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
            `${GITHUB}:sub`
          ],
      ),
    ).toEqual(['repo:acme/cms:environment:prod', 'repo:acme/cms:ref:refs/heads/trunk']);
  });

  it('scopes the bootstrap roles to the regions given', () => {
    const deploy = onlyResource(t, 'AWS::IAM::Role', 'AccessDeployRole');
    const resources: string[] = deploy.Properties.Policies[0].PolicyDocument.Statement[0].Resource;
    expect(resources).toHaveLength(8);
    expect(resources.every((r) => /-(eu-west-1|us-east-1)$/.test(r))).toBe(true);
  });
});

describe('SDLC-CHANGE evidence on the deploy access roles', () => {
  const evidence = CONTROLS.find((c) => c.id === 'SDLC-CHANGE')!.evidence.filter(
    (e) => e.stack === 'DeployAccess',
  );
  const [trust, assumeOnly, readOnly] = evidence;
  const t = template('Production', 'DeployAccess');
  const deploy = () =>
    structuredClone(onlyResource(t, 'AWS::IAM::Role', 'DeployAccessDeployRole').Properties);
  const read = () =>
    structuredClone(onlyResource(t, 'AWS::IAM::Role', 'DeployAccessReadRole').Properties);
  const judged = (e: (typeof evidence)[number], p: Record<string, any>) =>
    e.holds(p, {}, { stage: 'Production', logicalId: 'DeployAccessDeployRole', resources: {} });

  it('holds for the synthesized roles', () => {
    expect(evidence).toHaveLength(3);
    expect([
      judged(trust, deploy()),
      judged(assumeOnly, deploy()),
      judged(readOnly, read()),
    ]).toEqual([true, true, true]);
  });

  it.each<[string, (p: Record<string, any>) => void]>([
    [
      'a wildcard subject',
      (p) =>
        (p.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
          'token.actions.githubusercontent.com:sub'
        ] = 'repo:example-org/bulwark:*'),
    ],
    [
      'a branch instead of an environment',
      (p) =>
        (p.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
          'token.actions.githubusercontent.com:sub'
        ] = 'repo:example-org/bulwark:ref:refs/heads/main'),
    ],
    [
      'StringLike instead of StringEquals',
      (p) => {
        const c = p.AssumeRolePolicyDocument.Statement[0].Condition;
        c.StringLike = c.StringEquals;
        delete c.StringEquals;
      },
    ],
    [
      'no audience',
      (p) =>
        delete p.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
          'token.actions.githubusercontent.com:aud'
        ],
    ],
    [
      'a second trust statement',
      (p) =>
        p.AssumeRolePolicyDocument.Statement.push({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
        }),
    ],
  ])('fails the trust claim with %s', (_name, change) => {
    const p = deploy();
    change(p);
    expect(judged(trust, p)).toBe(false);
  });

  it.each<[string, (p: Record<string, any>) => void]>([
    [
      'another action',
      (p) => p.Policies[0].PolicyDocument.Statement[0].Action.push('iam:PassRole'),
    ],
    ['any role', (p) => p.Policies[0].PolicyDocument.Statement[0].Resource.push('*')],
    [
      'the execution role',
      (p) =>
        p.Policies[0].PolicyDocument.Statement[0].Resource.push(
          'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1',
        ),
    ],
    [
      'a managed policy',
      (p) => (p.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess']),
    ],
  ])('fails the assume-only claim with %s', (_name, change) => {
    const p = deploy();
    change(p);
    expect(judged(assumeOnly, p)).toBe(false);
  });

  it('fails the read claim for a read role that may assume the deploy role', () => {
    const p = read();
    p.Policies[0].PolicyDocument.Statement[0].Resource =
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1';
    expect(judged(readOnly, p)).toBe(false);
  });
});
