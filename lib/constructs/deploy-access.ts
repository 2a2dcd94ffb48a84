import { Arn, DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The issuer of GitHub Actions' OIDC tokens. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience GitHub's tokens carry for AWS (`aws-actions/configure-aws-credentials`). */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The CDK bootstrap roles a deploy uses, by the part of their name. */
export const BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;
/** One CDK bootstrap role. */
export type BootstrapRole = (typeof BOOTSTRAP_ROLES)[number];

/**
 * The name of a CDK bootstrap role (`cdk-<qualifier>-<role>-role-<account>-<region>`),
 * as the bootstrap template names it.
 */
export function bootstrapRoleName(
  role: BootstrapRole,
  account: string,
  region: string,
  qualifier: string = DefaultStackSynthesizer.DEFAULT_QUALIFIER,
): string {
  return `cdk-${qualifier}-${role}-role-${account}-${region}`;
}

/** The OIDC subject of a GitHub environment's jobs, or of a branch's. */
export const githubSubject = (
  repository: string,
  from: { readonly environment: string } | { readonly branch: string },
) =>
  'environment' in from
    ? `repo:${repository}:environment:${from.environment}`
    : `repo:${repository}:ref:refs/heads/${from.branch}`;

/** Properties of {@link DeployAccess}. */
export interface DeployAccessProps {
  /** The GitHub repository (`owner/name`) whose workflows deliver the stage. */
  readonly repository: string;
  /** The GitHub environment of the stage's deploy job (the deploy role's only subject). */
  readonly environment: string;
  /** The branch scheduled drift checks run from (the read role's only subject). */
  readonly branch: string;
  /** Create the account's GitHub OIDC provider, or use the existing one. */
  readonly oidcProvider: 'create' | 'existing';
  /** Name of the deploy role. */
  readonly deployRoleName: string;
  /** Name of the read-only role of scheduled checks. */
  readonly readRoleName: string;
  /** Every region the stage deploys to (its bootstrap roles are there). */
  readonly regions: readonly string[];
  /** The region whose lookup role the read role may assume (the stage's primary). */
  readonly primaryRegion: string;
  /**
   * The longest session of the deploy role: a first deploy of a stage (database,
   * replicas, distribution) can outlast an hour.
   * @default Duration.hours(2)
   */
  readonly deploySessionDuration?: Duration;
}

/**
 * Keyless delivery (SDLC-CHANGE): the account's GitHub OIDC provider, a deploy role
 * that only the stage's GitHub environment may assume and that may do nothing but
 * assume the stage's CDK bootstrap roles, and a read role that only scheduled jobs of
 * the default branch may assume and that may only assume the CDK lookup role
 * (read-only). No access key exists for either.
 */
export class DeployAccess extends Construct {
  /** The GitHub OIDC provider (created here, or the account's). */
  readonly provider: iam.IOidcProvider | iam.IOpenIdConnectProvider;
  /** The role of the deploy job. */
  readonly deployRole: iam.Role;
  /** The role of scheduled drift and verify runs. */
  readonly readRole: iam.Role;

  constructor(scope: Construct, id: string, props: DeployAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const qualifier =
      (this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ??
      DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const roleArn = (role: BootstrapRole, region: string) =>
      Arn.format(
        {
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: bootstrapRoleName(role, stack.account, region, qualifier),
        },
        stack,
      );

    this.provider =
      props.oidcProvider === 'create'
        ? new iam.OidcProviderNative(this, 'GitHubProvider', {
            url: `https://${GITHUB_OIDC_HOST}`,
            clientIds: [GITHUB_OIDC_AUDIENCE],
          })
        : iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
            this,
            'GitHubProvider',
            Arn.format(
              {
                service: 'iam',
                region: '',
                resource: 'oidc-provider',
                resourceName: GITHUB_OIDC_HOST,
              },
              stack,
            ),
          );
    const providerArn = this.provider.openIdConnectProviderArn;
    const trust = (subject: string) =>
      new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      });

    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: props.deployRoleName,
      description: `Bulwark: GitHub deploy job of ${props.repository} (environment ${props.environment}); may only assume the CDK bootstrap roles`,
      assumedBy: trust(githubSubject(props.repository, { environment: props.environment })),
      maxSessionDuration: props.deploySessionDuration ?? Duration.hours(2),
      inlinePolicies: {
        AssumeBootstrapRoles: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'AssumeBootstrapRoles',
              // The CDK CLI tags the sessions it starts; the bootstrap roles' trust allows it.
              actions: ['sts:AssumeRole', 'sts:TagSession'],
              resources: props.regions.flatMap((region) =>
                BOOTSTRAP_ROLES.map((role) => roleArn(role, region)),
              ),
            }),
          ],
        }),
      },
    });

    this.readRole = new iam.Role(this, 'ReadRole', {
      roleName: props.readRoleName,
      description: `Bulwark: scheduled drift and verify runs of ${props.repository} (branch ${props.branch}); may only assume the CDK lookup role (read-only)`,
      assumedBy: trust(githubSubject(props.repository, { branch: props.branch })),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        AssumeLookupRole: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'AssumeLookupRole',
              actions: ['sts:AssumeRole'],
              resources: [roleArn('lookup', props.primaryRegion)],
            }),
          ],
        }),
      },
    });
  }
}
