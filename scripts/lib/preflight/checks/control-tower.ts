import {
  BatchDescribeTypeConfigurationsCommand,
  ListTypesCommand,
  type TypeSummary,
} from '@aws-sdk/client-cloudformation';
import { type ControlTowerGap, controlTowerGaps } from '../../../../lib/compliance/control-tower';
import { regionsOf } from '../assembly';
import type { PreflightContext } from '../context';
import { type CheckResult, errorEvidence, failWithFix, pass } from '../../verify/types';

/** The CloudFormation hook through which AWS Control Tower runs its proactive controls. */
export const CONTROL_TOWER_HOOK = 'AWS::ControlTower::Hook';

/**
 * DEP-READY: AWS Control Tower proactive controls reject a resource at deploy time
 * whatever an acknowledgement says. In each region, preflight looks for the Control
 * Tower hook activated in the account and reads the controls it applies
 * (`ControlsToApply` of its type configuration); it fails naming each enabled control
 * that the stage's templates fail by design (from the acknowledged findings in the
 * assembly, `lib/compliance/control-tower.ts`). Without the hook, no proactive
 * control runs in that region.
 */
export async function checkControlTower(ctx: PreflightContext): Promise<CheckResult[]> {
  return Promise.all(
    regionsOf(ctx.stacks).map(async (region) => {
      const check = `Control Tower proactive controls in ${region}`;
      const stacks = ctx.stacks.filter((s) => s.region === region).map((s) => s.name);
      const gaps = controlTowerGaps(ctx.assemblyDir, stacks);
      const byDesign = [...new Set(gaps.map((g) => g.control))];
      try {
        const hook = await findHook(ctx, region);
        if (!hook)
          return pass(
            'DEP-READY',
            check,
            `no ${CONTROL_TOWER_HOOK} is active: no proactive control runs here`,
          );
        const enabled = await enabledControls(ctx, region, hook);
        if (!enabled) {
          return failWithFix(
            'DEP-READY',
            check,
            `${CONTROL_TOWER_HOOK} is active, but its controls cannot be read; the stage fails ${byDesign.join(', ') || 'none'} by design`,
            "ask the Control Tower administrator which proactive controls are enabled on this account's OU (aws controltower list-enabled-controls --target-identifier <OU ARN>, from the management account) and disable those listed in the README for this OU",
          );
        }
        const hit = gaps.filter((g) => enabled.has(g.control));
        return hit.length === 0
          ? pass(
              'DEP-READY',
              check,
              `${enabled.size} control(s) enabled; none of them fails the stage's templates`,
            )
          : failWithFix(
              'DEP-READY',
              check,
              describe(hit),
              `disable ${[...new Set(hit.map((g) => g.control))].join(', ')} on this account's OU (the README lists why Bulwark fails each), or deploy the stage to an OU without them`,
            );
      } catch (err) {
        return failWithFix(
          'DEP-READY',
          check,
          errorEvidence(err),
          'grant cloudformation:ListTypes and cloudformation:BatchDescribeTypeConfigurations to the preflight credentials',
        );
      }
    }),
  );
}

function describe(gaps: readonly ControlTowerGap[]): string {
  const by = new Map<string, ControlTowerGap[]>();
  for (const g of gaps) by.set(g.control, [...(by.get(g.control) ?? []), g]);
  return [...by]
    .map(
      ([control, list]) =>
        `${control} rejects ${list.map((g) => g.path.replace(/^\//, '')).join(', ')}`,
    )
    .join('; ');
}

async function findHook(ctx: PreflightContext, region: string): Promise<TypeSummary | undefined> {
  const cfn = ctx.clients.cloudFormation(region);
  for (const query of [
    { Visibility: 'PUBLIC' as const, Filters: { Category: 'ACTIVATED' as const } },
    { Visibility: 'PRIVATE' as const },
  ]) {
    let token: string | undefined;
    do {
      const out = await cfn.send(
        new ListTypesCommand({ Type: 'HOOK', ...query, NextToken: token }),
      );
      const hook = out.TypeSummaries?.find((t) => t.TypeName === CONTROL_TOWER_HOOK);
      if (hook) return hook;
      token = out.NextToken;
    } while (token);
  }
  return undefined;
}

/** The control ids the hook applies, or undefined when its configuration says none readable. */
async function enabledControls(
  ctx: PreflightContext,
  region: string,
  hook: TypeSummary,
): Promise<Set<string> | undefined> {
  const out = await ctx.clients.cloudFormation(region).send(
    new BatchDescribeTypeConfigurationsCommand({
      TypeConfigurationIdentifiers: [
        { TypeArn: hook.TypeArn, Type: 'HOOK', TypeName: hook.TypeName },
      ],
    }),
  );
  const configuration = out.TypeConfigurations?.[0]?.Configuration;
  if (!configuration) return undefined;
  const controls =
    JSON.parse(configuration)?.CloudFormationConfiguration?.HookConfiguration?.Properties
      ?.ControlsToApply;
  if (typeof controls !== 'string') return undefined;
  return new Set(
    controls
      .split(',')
      .map((c: string) => c.trim())
      .filter(Boolean),
  );
}
