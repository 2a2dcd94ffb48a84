import { Match } from 'aws-cdk-lib/assertions';
import { loadStageConfigs } from '../../lib/config';
import { STAGES, onlyResource, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);

describe.each(STAGES)('IAM-SSO (%s)', (stage) => {
  const cfg = configs.find((c) => c.title === stage)!;
  const t = template(stage, 'Security');
  const pool = onlyResource(t, 'AWS::Cognito::UserPool');

  it('requires TOTP MFA and refuses self sign-up', () => {
    expect(pool.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('has a support group in the pool, and no group that names a space', () => {
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup'));
    expect(groups.map((g) => g.Properties.GroupName)).toEqual(['support']);
    expect(groups[0].Properties.UserPoolId).toEqual({ Ref: pool.logicalId });
  });

  it('requires 12-character passwords with every character class and one-day temporary passwords', () => {
    expect(pool.Properties.Policies.PasswordPolicy).toEqual({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 1,
    });
  });

  it('enforces threat protection (compromised credentials, adaptive authentication)', () => {
    expect(pool.Properties.UserPoolTier).toBe('PLUS');
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });

  it('keeps the pool: deletion protection and RETAIN', () => {
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.UpdateReplacePolicy).toBe('Retain');
  });

  it('gives the CMS a public client: code grant, no secret, short tokens, revocation', () => {
    const client = onlyResource(t, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: cfg.people.callbackUrls,
      AccessTokenValidity: cfg.people.accessTokenMinutes,
      IdTokenValidity: cfg.people.accessTokenMinutes,
      RefreshTokenValidity: cfg.people.refreshTokenHours * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(client.Properties.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it(
    cfg.people.saml ? 'federates the configured SAML identity provider' : 'has local users only',
    () => {
      const providers = Object.values(t.findResources('AWS::Cognito::UserPoolIdentityProvider'));
      const client = onlyResource(t, 'AWS::Cognito::UserPoolClient');
      if (!cfg.people.saml) {
        expect(providers).toHaveLength(0);
        expect(client.Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
        return;
      }
      expect(providers).toHaveLength(1);
      expect(providers[0].Properties).toMatchObject({
        ProviderName: cfg.people.saml.name,
        ProviderType: 'SAML',
        ProviderDetails: { MetadataURL: cfg.people.saml.metadataUrl },
        AttributeMapping: { email: cfg.people.saml.attributeMapping.email },
      });
      // SSO only: no local sign-in beside it.
      expect(client.Properties.SupportedIdentityProviders).toEqual([cfg.people.saml.name]);
    },
  );

  it('hands the API the pool, its client and its public keys, and the key-management rule', () => {
    const api = onlyResource(template(stage, 'App'), 'AWS::Lambda::Function', 'ContentApiFunction');
    const env = api.Properties.Environment.Variables;
    expect(env.KEY_MANAGEMENT).toBe(cfg.people.keyManagement);
    for (const name of ['PEOPLE_USER_POOL_ID', 'PEOPLE_CLIENT_ID', 'PEOPLE_JWKS']) {
      expect(env[name]).toEqual({ 'Fn::ImportValue': expect.stringContaining('People') });
    }
    t.hasResourceProperties('Custom::UserPoolJwks', {
      UserPoolId: { Ref: Match.stringLikeRegexp('^PeopleUserPool') },
      Region: cfg.region,
    });
  });
});
