import {
  type CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  type DescribeUserPoolClientCommandOutput,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  type TimeUnitsType,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { PASSWORD_POLICY } from '../../../lib/constructs/people-directory';
import { type CheckId, type CheckResult, fail, judge, observed, skip } from './types';

/** What the people's user pool and its CMS client must be (Security stack, `PeopleDirectory`). */
export interface UserPoolExpectation {
  /** The Security stack's `UserPoolId` output. */
  readonly userPoolId: string;
  /** The Security stack's `CmsClientId` output. */
  readonly clientId: string;
  /** `people.accessTokenMinutes` of the stage (at most 60). */
  readonly accessTokenMinutes: number;
  /** `people.saml.name` of the stage; none when people are local users. */
  readonly samlProvider?: string;
}

const MFA: CheckId = ['IAM-SSO', 'user pool requires TOTP MFA'];
const PASSWORDS: CheckId = ['IAM-SSO', 'user pool enforces the password policy'];
const THREATS: CheckId = ['IAM-SSO', 'user pool enforces threat protection'];
const CLOSED: CheckId = ['IAM-SSO', 'user pool refuses self sign-up and deletion'];
const CLIENT: CheckId = [
  'IAM-SSO',
  'CMS client is public, code grant only, with short revocable tokens',
];
const SAML: CheckId = ['IAM-SSO', 'CMS client signs people in through the SAML provider only'];

/** Minutes in one unit of `TokenValidityUnits`. */
const MINUTES: Record<TimeUnitsType, number> = {
  seconds: 1 / 60,
  minutes: 1,
  hours: 60,
  days: 1440,
};

/**
 * IAM-SSO: the people's user pool (Security stack outputs `UserPoolId`, `CmsClientId`)
 * requires TOTP MFA (GetUserPoolMfaConfig: DescribeUserPool does not list the enabled
 * factors); keeps the password policy of {@link PASSWORD_POLICY}, enforced threat
 * protection, no self sign-up and deletion protection (DescribeUserPool); its CMS client
 * has no secret, the code grant only, token revocation and access tokens no longer than
 * `people.accessTokenMinutes` (DescribeUserPoolClient); with `people.saml`, the SAML
 * provider exists and the client offers it (DescribeIdentityProvider), else SKIP.
 */
export async function checkUserPool(
  client: CognitoIdentityProviderClient,
  expected: UserPoolExpectation,
): Promise<CheckResult[]> {
  const { userPoolId: pool, clientId } = expected;
  // Read once for two checks; each check reports the failure itself.
  const appClient = client.send(
    new DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: clientId }),
  );
  appClient.catch(() => undefined);

  const groups = await Promise.all([
    observed(
      [MFA],
      () => client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool })),
      (mfa) => {
        const totp = mfa.SoftwareTokenMfaConfiguration?.Enabled === true;
        return [
          judge(
            ...MFA,
            mfa.MfaConfiguration === 'ON' && totp,
            `${pool}: MfaConfiguration ${mfa.MfaConfiguration ?? 'absent'}, software token MFA ${totp ? 'enabled' : 'disabled'}; expected ON with software token MFA enabled`,
          ),
        ];
      },
    ),
    observed(
      [PASSWORDS, THREATS, CLOSED],
      () => client.send(new DescribeUserPoolCommand({ UserPoolId: pool })),
      ({ UserPool: p }) => {
        const pw = p?.Policies?.PasswordPolicy;
        const classes = [
          'RequireUppercase',
          'RequireLowercase',
          'RequireNumbers',
          'RequireSymbols',
        ] as const;
        const minLength = PASSWORD_POLICY.minLength;
        const tempDays = PASSWORD_POLICY.tempPasswordValidity.toDays();
        const strong =
          (pw?.MinimumLength ?? 0) >= minLength &&
          classes.every((c) => pw?.[c] === true) &&
          (pw?.TemporaryPasswordValidityDays ?? Infinity) <= tempDays;
        const mode = p?.UserPoolAddOns?.AdvancedSecurityMode;
        const adminOnly = p?.AdminCreateUserConfig?.AllowAdminCreateUserOnly;
        return [
          judge(
            ...PASSWORDS,
            strong,
            `${pool}: MinimumLength ${pw?.MinimumLength ?? 'absent'}, ${classes.map((c) => `${c} ${pw?.[c] ?? 'absent'}`).join(', ')}, TemporaryPasswordValidityDays ${pw?.TemporaryPasswordValidityDays ?? 'absent'}; ` +
              `expected MinimumLength ≥ ${minLength}, every class required, TemporaryPasswordValidityDays ≤ ${tempDays}`,
          ),
          judge(
            ...THREATS,
            mode === 'ENFORCED',
            `${pool}: AdvancedSecurityMode ${mode ?? 'absent'}; expected ENFORCED`,
          ),
          judge(
            ...CLOSED,
            adminOnly === true && p?.DeletionProtection === 'ACTIVE',
            `${pool}: AllowAdminCreateUserOnly ${adminOnly ?? 'absent'}, DeletionProtection ${p?.DeletionProtection ?? 'absent'}; expected true, ACTIVE`,
          ),
        ];
      },
    ),
    observed(
      [CLIENT],
      () => appClient,
      ({ UserPoolClient: c }) => [judgeClient(clientId, c, expected.accessTokenMinutes)],
    ),
    expected.samlProvider === undefined
      ? [skip(...SAML, 'stage uses local users (no people.saml)')]
      : checkSamlProvider(client, pool, expected.samlProvider, appClient),
  ]);
  return groups.flat();
}

/** The CMS client, with its access-token lifetime converted to minutes; never prints a secret. */
function judgeClient(
  clientId: string,
  c: UserPoolClientType | undefined,
  maxMinutes: number,
): CheckResult {
  // Cognito's default when a client sets neither value nor unit: one hour.
  const unit = c?.TokenValidityUnits?.AccessToken ?? 'hours';
  const validity = c?.AccessTokenValidity ?? 1;
  const minutes = validity * MINUTES[unit];
  const flows = c?.AllowedOAuthFlows ?? [];
  const wrong = [
    c?.ClientSecret ? 'has a client secret' : '',
    flows.length === 1 && flows[0] === 'code'
      ? ''
      : `AllowedOAuthFlows [${flows.join(', ')}] (expected [code])`,
    c?.EnableTokenRevocation === true
      ? ''
      : `EnableTokenRevocation ${c?.EnableTokenRevocation ?? 'absent'} (expected true)`,
    minutes <= maxMinutes
      ? ''
      : `access tokens valid ${validity} ${unit} (expected ≤ ${maxMinutes} minutes)`,
  ].filter(Boolean);
  return judge(
    ...CLIENT,
    wrong.length === 0,
    wrong.length === 0
      ? `${clientId}: no secret, AllowedOAuthFlows [code], token revocation on, access tokens valid ${minutes} minutes; expected no secret, [code], revocation, ≤ ${maxMinutes} minutes`
      : `${clientId}: ${wrong.join('; ')}; expected no secret, [code], revocation, ≤ ${maxMinutes} minutes (people.accessTokenMinutes)`,
  );
}

/** DescribeIdentityProvider by name; `ResourceNotFoundException` means there is none. */
async function checkSamlProvider(
  client: CognitoIdentityProviderClient,
  pool: string,
  name: string,
  appClient: Promise<DescribeUserPoolClientCommandOutput>,
): Promise<CheckResult[]> {
  const provider = client
    .send(new DescribeIdentityProviderCommand({ UserPoolId: pool, ProviderName: name }))
    .then(
      (out) => out.IdentityProvider,
      (err: unknown) => {
        if (err instanceof Error && err.name === 'ResourceNotFoundException') return undefined;
        throw err;
      },
    );
  return observed(
    [SAML],
    () => Promise.all([provider, appClient]),
    ([idp, { UserPoolClient: c }]) => {
      const offered = c?.SupportedIdentityProviders ?? [];
      const expectation = `expected the SAML provider ${name} (people.saml) as the CMS client's only identity provider`;
      if (!idp) {
        return [
          fail(
            ...SAML,
            `no identity provider named ${name} in ${pool} (ResourceNotFoundException); ${expectation}`,
          ),
        ];
      }
      return [
        judge(
          ...SAML,
          idp.ProviderType === 'SAML' && offered.length === 1 && offered[0] === name,
          `${name}: ProviderType ${idp.ProviderType ?? 'absent'}; client identity providers [${offered.join(', ')}]; ${expectation}`,
        ),
      ];
    },
  );
}
