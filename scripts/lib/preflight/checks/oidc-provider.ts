import { GetOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from '../../../../lib/constructs/deploy-access';
import type { PreflightContext } from '../context';
import { isDeployed } from '../../stack-state';
import { type CheckResult, errorEvidence, failWithFix, pass } from '../../verify/types';

/**
 * SDLC-CHANGE: the account's GitHub OIDC provider is as `delivery.oidcProvider` says.
 * An account has at most one provider per URL, so `create` needs none (or the one this
 * stage's DeployAccess stack made), and `existing` needs one that admits the STS audience.
 */
export async function checkOidcProvider(ctx: PreflightContext): Promise<CheckResult> {
  const { cfg } = ctx;
  const mode = cfg.delivery.oidcProvider;
  const arn = `arn:aws:iam::${cfg.account}:oidc-provider/${GITHUB_OIDC_HOST}`;
  const check = `GitHub OIDC provider (${mode})`;
  let audiences: string[] | undefined;
  try {
    const out = await ctx.clients
      .iam()
      .send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    audiences = out.ClientIDList ?? [];
  } catch (err) {
    if (!(err instanceof Error && err.name === 'NoSuchEntityException')) {
      return failWithFix(
        'SDLC-CHANGE',
        check,
        errorEvidence(err),
        'grant iam:GetOpenIDConnectProvider to the preflight credentials',
      );
    }
  }
  if (mode === 'create') {
    if (audiences === undefined) {
      return pass('SDLC-CHANGE', check, 'no provider yet; the DeployAccess stack creates it');
    }
    return isDeployed(ctx.states.DeployAccess)
      ? pass('SDLC-CHANGE', check, `${arn} is this stage's`)
      : failWithFix(
          'SDLC-CHANGE',
          check,
          `the account already has ${arn} (one per account), which the stage would try to create again`,
          `set "delivery": { "oidcProvider": "existing" } for stage ${cfg.name} in cdk.json`,
        );
  }
  if (audiences === undefined) {
    return failWithFix(
      'SDLC-CHANGE',
      check,
      `the account has no ${GITHUB_OIDC_HOST} provider`,
      `set "delivery": { "oidcProvider": "create" } for stage ${cfg.name} in cdk.json`,
    );
  }
  return audiences.includes(GITHUB_OIDC_AUDIENCE)
    ? pass('SDLC-CHANGE', check, `${arn} admits ${GITHUB_OIDC_AUDIENCE}`)
    : failWithFix(
        'SDLC-CHANGE',
        check,
        `${arn} admits ${audiences.join(', ') || 'no audience'}, not ${GITHUB_OIDC_AUDIENCE}`,
        `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id ${GITHUB_OIDC_AUDIENCE}`,
      );
}
