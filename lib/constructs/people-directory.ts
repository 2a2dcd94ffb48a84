import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import type { StageConfig } from '../config';
import { SUPPORT_GROUP } from '../../lambda/content-api/domain/people';
import { SecureFunction } from './secure-function';

/** Properties of {@link PeopleDirectory}. */
export interface PeopleDirectoryProps {
  /** Name of the stage (in the pool's name). */
  readonly stageName: string;
  /** The stage's `people` block: domain, tokens, redirect URLs, key management, SAML. */
  readonly people: StageConfig['people'];
  /** Retention of the JWKS reader's log group, in days. */
  readonly logRetentionDays: StageConfig['logRetentionDays'];
  /** Key of the JWKS reader's log group. */
  readonly logKey: kms.IKey;
}

/** Password rules of people's accounts (IAM-SSO). */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidity: Duration.days(1),
} as const;

const repoRoot = path.join(__dirname, '..', '..');

/**
 * People's sign-in (IAM-SSO): editors and admins sign in as themselves, never with
 * long-lived keys. A Cognito user pool with TOTP MFA required, a 12-character
 * password policy with every character class and one-day temporary passwords,
 * threat protection enforced (compromised credentials and adaptive authentication),
 * no self sign-up, deletion protection and a RETAIN policy; optionally a SAML
 * identity provider from the stage config, which is then the client's only way in
 * (its people's MFA is the identity provider's); one public app client for the CMS front
 * end (authorization code grant, no secret, short-lived tokens, revocation on).
 *
 * A person's role in a space comes from the group `space:<id>:<role>`. Support
 * engineers are the members of the `support` group (ACC-DATA): they hold no role in
 * any space, and reach one only under a live grant its admins gave. The pool's
 * public signing keys are read at deploy time (`Jwks`) so that the content API, in
 * isolated subnets, verifies access tokens offline.
 *
 * Cognito keeps user data encrypted at rest with AWS-owned keys; a user pool takes
 * no customer-managed key (only custom sender triggers do, which Bulwark has none of).
 */
export class PeopleDirectory extends Construct {
  readonly userPool: cognito.UserPool;
  /** The CMS front end's client. */
  readonly client: cognito.UserPoolClient;
  /** The SAML identity provider, when configured. */
  readonly saml?: cognito.UserPoolIdentityProviderSaml;
  /** The pool's public JWKS (JSON), for offline token verification. */
  readonly jwks: string;
  /** Support engineers: access to a space only under a customer's live grant. */
  readonly supportGroup: cognito.CfnUserPoolGroup;

  constructor(scope: Construct, id: string, props: PeopleDirectoryProps) {
    super(scope, id);
    const people = props.people;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `bulwark-${props.stageName}-people`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: PASSWORD_POLICY,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.supportGroup = new cognito.CfnUserPoolGroup(this, 'SupportGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: SUPPORT_GROUP,
      description:
        'Support engineers: no standing access; a space only under a live grant of its admins, every request audited in it',
    });
    this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: people.domainPrefix },
    });

    // With SSO, people sign in only through it: no local accounts beside the company's.
    let providers = [cognito.UserPoolClientIdentityProvider.COGNITO];
    if (people.saml) {
      const saml = people.saml;
      this.saml = new cognito.UserPoolIdentityProviderSaml(this, 'Saml', {
        userPool: this.userPool,
        name: saml.name,
        metadata: saml.metadataUrl
          ? cognito.UserPoolIdentityProviderSamlMetadata.url(saml.metadataUrl)
          : cognito.UserPoolIdentityProviderSamlMetadata.file(
              fs.readFileSync(path.resolve(repoRoot, saml.metadataFile!), 'utf8'),
            ),
        attributeMapping: {
          email: cognito.ProviderAttribute.other(saml.attributeMapping.email!),
          ...(saml.attributeMapping.name && {
            fullname: cognito.ProviderAttribute.other(saml.attributeMapping.name),
          }),
          ...(saml.attributeMapping.given_name && {
            givenName: cognito.ProviderAttribute.other(saml.attributeMapping.given_name),
          }),
          ...(saml.attributeMapping.family_name && {
            familyName: cognito.ProviderAttribute.other(saml.attributeMapping.family_name),
          }),
        },
        idpSignout: true,
      });
      providers = [cognito.UserPoolClientIdentityProvider.custom(saml.name)];
    }

    const tokenLifetime = Duration.minutes(people.accessTokenMinutes);
    this.client = this.userPool.addClient('CmsClient', {
      userPoolClientName: 'bulwark-cms',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: people.callbackUrls,
        logoutUrls: people.logoutUrls,
      },
      supportedIdentityProviders: providers,
      accessTokenValidity: tokenLifetime,
      idTokenValidity: tokenLifetime,
      refreshTokenValidity: Duration.hours(people.refreshTokenHours),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    if (this.saml) this.client.node.addDependency(this.saml);

    // Deploy-time read of the pool's public keys (outside the VPC: a public HTTPS URL).
    const reader = new SecureFunction(this, 'JwksReader', {
      entry: 'people-jwks/handler.ts',
      description: 'Bulwark: reads the user pool public keys at deploy time',
      vpc: undefined,
      logKey: props.logKey,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 128,
      timeout: Duration.seconds(30),
      reservedConcurrency: 1,
    });
    acknowledge(reader, 'jwksReaderOutsideVpc');
    acknowledge(reader, 'deployTimeCustomResource');
    const resource = new CustomResource(this, 'Jwks', {
      serviceToken: reader.functionArn,
      resourceType: 'Custom::UserPoolJwks',
      properties: { UserPoolId: this.userPool.userPoolId, Region: Stack.of(this).region },
    });
    this.jwks = resource.getAttString('Jwks');
  }
}
