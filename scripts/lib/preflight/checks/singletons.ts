import {
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { GetSubscriptionStateCommand } from '@aws-sdk/client-shield';
import { type PreflightContext, outputOf } from '../context';
import { isDeployed } from '../../stack-state';
import { type CheckResult, errorEvidence, failWithFix, pass, skip } from '../../verify/types';

/**
 * The account singletons each stage creates or uses (`guardDuty`, `securityHub`,
 * `awsConfig`: `create | existing`): `create` needs the account to have none yet
 * (or only the one this stage's Security stack made), `existing` needs one, on.
 */
export async function checkSingletons(ctx: PreflightContext): Promise<CheckResult[]> {
  return Promise.all([guardDuty(ctx), securityHub(ctx), awsConfig(ctx)]);
}

const ours = (ctx: PreflightContext) => isDeployed(ctx.states.Security);

async function guardDuty(ctx: PreflightContext): Promise<CheckResult> {
  const { cfg } = ctx;
  const check = `GuardDuty detector (${cfg.guardDuty}) in ${cfg.region}`;
  try {
    const client = ctx.clients.guardDuty(cfg.region);
    const ids = (await client.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    if (cfg.guardDuty === 'create') {
      const own = outputOf(ctx, 'Security', 'detectorId');
      const others = ids.filter((id) => id !== own);
      return others.length === 0
        ? pass(
            'THR-DETECT',
            check,
            ids.length
              ? `detector ${ids[0]} is this stage's`
              : 'no detector yet; the Security stack creates it',
          )
        : failWithFix(
            'THR-DETECT',
            check,
            `the account already has detector ${others[0]} in ${cfg.region} (one per region), which the stage would try to create again`,
            `set "guardDuty": "existing" for stage ${cfg.name} in cdk.json`,
          );
    }
    if (ids.length === 0) {
      return failWithFix(
        'THR-DETECT',
        check,
        `no detector in ${cfg.region}`,
        `set "guardDuty": "create" for stage ${cfg.name}, or enable GuardDuty: aws guardduty create-detector --enable --region ${cfg.region}`,
      );
    }
    const status = (await client.send(new GetDetectorCommand({ DetectorId: ids[0] }))).Status;
    return status === 'ENABLED'
      ? pass('THR-DETECT', check, `detector ${ids[0]} is ENABLED`)
      : failWithFix(
          'THR-DETECT',
          check,
          `detector ${ids[0]} is ${status}`,
          `aws guardduty update-detector --detector-id ${ids[0]} --enable --region ${cfg.region}`,
        );
  } catch (err) {
    return failWithFix(
      'THR-DETECT',
      check,
      errorEvidence(err),
      'grant guardduty:ListDetectors and guardduty:GetDetector to the preflight credentials',
    );
  }
}

/** DescribeHub answers InvalidAccessException "... is not subscribed to AWS Security Hub". */
const notSubscribed = (err: unknown) =>
  err instanceof Error &&
  err.name === 'InvalidAccessException' &&
  /not subscribed/i.test(err.message);

async function securityHub(ctx: PreflightContext): Promise<CheckResult> {
  const { cfg } = ctx;
  const check = `Security Hub (${cfg.securityHub}) in ${cfg.region}`;
  let hub: string | undefined;
  try {
    hub = (await ctx.clients.securityHub(cfg.region).send(new DescribeHubCommand({}))).HubArn;
  } catch (err) {
    if (!notSubscribed(err)) {
      return failWithFix(
        'THR-DETECT',
        check,
        errorEvidence(err),
        'grant securityhub:DescribeHub to the preflight credentials',
      );
    }
  }
  if (cfg.securityHub === 'create') {
    return !hub || ours(ctx)
      ? pass(
          'THR-DETECT',
          check,
          hub
            ? `hub ${hub} (this stage's Security stack is deployed)`
            : 'not enabled yet; the Security stack enables it',
        )
      : failWithFix(
          'THR-DETECT',
          check,
          `Security Hub is already enabled (${hub}); the stage would enable it again`,
          `set "securityHub": "existing" for stage ${cfg.name} in cdk.json`,
        );
  }
  return hub
    ? pass('THR-DETECT', check, `hub ${hub}`)
    : failWithFix(
        'THR-DETECT',
        check,
        `the account is not subscribed to Security Hub in ${cfg.region}`,
        `set "securityHub": "create" for stage ${cfg.name}, or: aws securityhub enable-security-hub --region ${cfg.region}`,
      );
}

async function awsConfig(ctx: PreflightContext): Promise<CheckResult> {
  const { cfg } = ctx;
  const check = `AWS Config recorder (${cfg.awsConfig}) in ${cfg.region}`;
  try {
    const client = ctx.clients.config(cfg.region);
    const recorders =
      (await client.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ??
      [];
    // Service-linked recorders (of other services) do not count: one customer recorder per region.
    const customer = recorders.filter((r) => !r.servicePrincipal);
    const own = outputOf(ctx, 'Security', 'configRecorderName');
    if (cfg.awsConfig === 'create') {
      const others = customer.filter((r) => r.name !== own);
      return others.length === 0
        ? pass(
            'MON-AUDIT',
            check,
            customer.length
              ? `recorder ${customer[0].name} is this stage's`
              : 'no recorder yet; the Security stack creates it',
          )
        : failWithFix(
            'MON-AUDIT',
            check,
            `the account already has the recorder ${others[0].name} in ${cfg.region} (one per region)`,
            `set "awsConfig": "existing" for stage ${cfg.name} in cdk.json`,
          );
    }
    if (customer.length === 0) {
      return failWithFix(
        'MON-AUDIT',
        check,
        `no configuration recorder in ${cfg.region}`,
        `set "awsConfig": "create" for stage ${cfg.name} in cdk.json`,
      );
    }
    const status = (
      await client.send(
        new DescribeConfigurationRecorderStatusCommand({
          ConfigurationRecorderNames: [customer[0].name!],
        }),
      )
    ).ConfigurationRecordersStatus?.[0];
    return status?.recording
      ? pass(
          'MON-AUDIT',
          check,
          `recorder ${customer[0].name} is recording (last status ${status.lastStatus})`,
        )
      : failWithFix(
          'MON-AUDIT',
          check,
          `recorder ${customer[0].name} is not recording`,
          `aws configservice start-configuration-recorder --configuration-recorder-name ${customer[0].name} --region ${cfg.region}`,
        );
  } catch (err) {
    return failWithFix(
      'MON-AUDIT',
      check,
      errorEvidence(err),
      'grant config:DescribeConfigurationRecorders and config:DescribeConfigurationRecorderStatus to the preflight credentials',
    );
  }
}

/** DDOS: Shield Advanced protections need an active subscription (a one-year commitment). */
export async function checkShield(ctx: PreflightContext): Promise<CheckResult> {
  const check = 'Shield Advanced subscription';
  if (!ctx.cfg.shield.advanced) return skip('DDOS', check, 'shield.advanced is off for this stage');
  try {
    const state = (await ctx.clients.shield().send(new GetSubscriptionStateCommand({})))
      .SubscriptionState;
    return state === 'ACTIVE'
      ? pass('DDOS', check, 'subscription ACTIVE')
      : failWithFix(
          'DDOS',
          check,
          `subscription ${state}: the Shield protections would fail to create`,
          'subscribe the account (aws shield create-subscription; a one-year commitment), or set shield.advanced to false',
        );
  } catch (err) {
    return failWithFix(
      'DDOS',
      check,
      errorEvidence(err),
      'grant shield:GetSubscriptionState to the preflight credentials',
    );
  }
}
