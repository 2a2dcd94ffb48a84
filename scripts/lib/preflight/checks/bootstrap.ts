import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { regionsOf } from '../assembly';
import type { PreflightContext } from '../context';
import { type CheckResult, errorEvidence, failWithFix, pass } from '../../verify/types';

/**
 * DEP-READY: the account is bootstrapped for CDK in every region the stage deploys to
 * (primary, recovery, us-east-1) at the version the assembly needs, read from the
 * bootstrap's SSM parameter as the CDK CLI reads it.
 */
export async function checkBootstrap(ctx: PreflightContext): Promise<CheckResult[]> {
  return Promise.all(
    regionsOf(ctx.stacks).map(async (region) => {
      const stacks = ctx.stacks.filter((s) => s.region === region);
      const needed = Math.max(...stacks.map((s) => s.bootstrapVersion));
      const parameter = stacks[0].bootstrapParameter;
      const check = `CDK bootstrap in ${region} (version >= ${needed})`;
      const fix = `npm run cdk -- bootstrap aws://${ctx.cfg.account}/${region}`;
      try {
        const out = await ctx.clients
          .ssm(region)
          .send(new GetParameterCommand({ Name: parameter }));
        const version = Number(out.Parameter?.Value);
        return Number.isInteger(version) && version >= needed
          ? pass('DEP-READY', check, `${parameter} = ${version}`)
          : failWithFix(
              'DEP-READY',
              check,
              `${parameter} = ${out.Parameter?.Value}; the assembly needs ${needed}`,
              fix,
            );
      } catch (err) {
        if (err instanceof Error && err.name === 'ParameterNotFound') {
          return failWithFix(
            'DEP-READY',
            check,
            `${parameter} does not exist: ${region} is not bootstrapped`,
            fix,
          );
        }
        return failWithFix('DEP-READY', check, errorEvidence(err), fix);
      }
    }),
  );
}
