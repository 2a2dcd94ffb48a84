import { GetAccountSettingsCommand, ListLayersCommand, type Runtime } from '@aws-sdk/client-lambda';
import { regionsOf, resourcesOf } from '../assembly';
import { type PreflightContext } from '../context';
import { isDeployed } from '../../stack-state';
import { type CheckResult, errorEvidence, failWithFix, pass } from '../../verify/types';

/** Lambda keeps at least this many concurrent executions unreserved in every account. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
/** Service Quotas code of "Concurrent executions" (Lambda). */
const CONCURRENCY_QUOTA = 'L-B99A9384';

/**
 * DEP-READY: in each region with functions, the concurrent-executions quota leaves at
 * least 100 unreserved once the stage's reserved concurrency is taken (a new account
 * may have a quota of 10, and Lambda refuses a reservation that would leave fewer than
 * 100); and the runtime of every function is offered there.
 */
export async function checkLambda(ctx: PreflightContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const region of regionsOf(ctx.stacks)) {
    const stacks = ctx.stacks.filter((s) => s.region === region);
    const functions = stacks.flatMap((s) =>
      resourcesOf(s, 'AWS::Lambda::Function').map(([, r]) => ({ stack: s, fn: r })),
    );
    if (functions.length === 0) continue;
    const reserved = (deployed: boolean) =>
      functions
        .filter((f) => isDeployed(ctx.states[f.stack.part]) === deployed)
        .reduce((sum, f) => sum + Number(f.fn.Properties?.ReservedConcurrentExecutions ?? 0), 0);
    const toReserve = reserved(false);
    const check = `Lambda concurrency in ${region} leaves ${LAMBDA_UNRESERVED_MINIMUM} unreserved`;
    try {
      const { AccountLimit } = await ctx.clients
        .lambda(region)
        .send(new GetAccountSettingsCommand({}));
      const limit = AccountLimit?.ConcurrentExecutions ?? 0;
      const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? 0;
      // Reservations of stacks already deployed are already subtracted from `unreserved`.
      const after = unreserved - toReserve;
      const evidence = `quota ${limit}, unreserved ${unreserved}, the stage reserves ${toReserve} more: ${after} would stay unreserved`;
      results.push(
        after >= LAMBDA_UNRESERVED_MINIMUM
          ? pass('DEP-READY', check, evidence)
          : failWithFix(
              'DEP-READY',
              check,
              evidence,
              `aws service-quotas request-service-quota-increase --service-code lambda --quota-code ${CONCURRENCY_QUOTA} --desired-value ${limit + LAMBDA_UNRESERVED_MINIMUM - after} --region ${region}`,
            ),
      );
    } catch (err) {
      results.push(
        failWithFix(
          'DEP-READY',
          check,
          errorEvidence(err),
          'grant lambda:GetAccountSettings to the preflight credentials',
        ),
      );
    }
    for (const runtime of new Set(functions.map((f) => String(f.fn.Properties?.Runtime)))) {
      results.push(await checkRuntime(ctx, region, runtime));
    }
  }
  return results;
}

/** Lambda validates `CompatibleRuntime` against the runtimes the region offers. */
async function checkRuntime(
  ctx: PreflightContext,
  region: string,
  runtime: string,
): Promise<CheckResult> {
  const check = `Lambda runtime ${runtime} offered in ${region}`;
  try {
    await ctx.clients
      .lambda(region)
      .send(new ListLayersCommand({ CompatibleRuntime: runtime as Runtime, MaxItems: 1 }));
    return pass('DEP-READY', check, `ListLayers accepts CompatibleRuntime ${runtime}`);
  } catch (err) {
    const unknown =
      err instanceof Error && /ValidationException|InvalidParameterValue/.test(err.name);
    return failWithFix(
      'DEP-READY',
      check,
      unknown ? `${region} does not offer ${runtime}: ${errorEvidence(err)}` : errorEvidence(err),
      unknown
        ? `choose a region that offers ${runtime} (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) or pin a runtime it offers in lib/constructs/secure-function.ts`
        : 'grant lambda:ListLayers to the preflight credentials',
    );
  }
}
