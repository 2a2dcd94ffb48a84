import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { type FixedName, fixedNames } from '../assembly';
import { type PreflightContext, outputOf } from '../context';
import { isDeployed } from '../../stack-state';
import { type CheckResult, errorEvidence, failWithFix, pass } from '../../verify/types';

/**
 * DEP-READY: names the stage fixes are free before their stack is created: the
 * Cognito domain prefix (unique in the region), and each bucket (global), log group
 * and database instance a not-yet-deployed stack names. A name that exists outside
 * the stack makes the creation fail with "already exists".
 */
export async function checkNames(ctx: PreflightContext): Promise<CheckResult[]> {
  const undeployed = ctx.stacks.filter((s) => !isDeployed(ctx.states[s.part]));
  const names = fixedNames(undeployed);
  return Promise.all([checkDomainPrefix(ctx), ...names.map((n) => checkFree(ctx, n))]);
}

async function checkDomainPrefix(ctx: PreflightContext): Promise<CheckResult> {
  const { cfg } = ctx;
  const prefix = cfg.people.domainPrefix;
  const check = `Cognito domain prefix ${prefix} in ${cfg.region}`;
  try {
    const { DomainDescription: d } = await ctx.clients
      .cognito(cfg.region)
      .send(new DescribeUserPoolDomainCommand({ Domain: prefix }));
    if (!d?.UserPoolId && !d?.Status) return pass('IAM-SSO', check, 'free');
    const own = outputOf(ctx, 'Security', 'userPoolId');
    return d.UserPoolId && d.UserPoolId === own
      ? pass('IAM-SSO', check, `this stage's user pool ${own} has it`)
      : failWithFix(
          'IAM-SSO',
          check,
          `taken${d.UserPoolId ? ` by user pool ${d.UserPoolId}` : ''}`,
          `choose another people.domainPrefix for stage ${cfg.name} in cdk.json`,
        );
  } catch (err) {
    return failWithFix(
      'IAM-SSO',
      check,
      errorEvidence(err),
      'grant cognito-idp:DescribeUserPoolDomain to the preflight credentials',
    );
  }
}

async function checkFree(ctx: PreflightContext, n: FixedName): Promise<CheckResult> {
  const check = `${n.kind} ${n.name} is free (${n.stack})`;
  try {
    const taken = await exists(ctx, n);
    if (!taken) return pass('DEP-READY', check, 'does not exist');
    return failWithFix(
      'DEP-READY',
      check,
      `${taken}, outside any deployed stack: creating ${n.stack} would fail with "already exists"`,
      removal(n),
    );
  } catch (err) {
    return failWithFix('DEP-READY', check, errorEvidence(err), `check by hand: ${removal(n)}`);
  }
}

/** Why the name is taken, or undefined when it is free. */
async function exists(ctx: PreflightContext, n: FixedName): Promise<string | undefined> {
  switch (n.kind) {
    case 'bucket':
      try {
        await ctx.clients
          .s3(n.region)
          .send(new HeadBucketCommand({ Bucket: n.name, ExpectedBucketOwner: ctx.cfg.account }));
        return 'the bucket exists in this account';
      } catch (err) {
        // HeadBucket has no body: only the status tells (404 free, 403 another owner).
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if (status === 404) return undefined;
        if (status === 403)
          return 'the bucket name is taken (by another account, or not readable by these credentials)';
        if (status === 301) return 'the bucket exists in another region';
        throw err;
      }
    case 'log group': {
      const out = await ctx.clients
        .logs(n.region)
        .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: n.name }));
      return out.logGroups?.some((g) => g.logGroupName === n.name)
        ? 'the log group exists'
        : undefined;
    }
    case 'database instance':
      try {
        await ctx.clients
          .rds(n.region)
          .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: n.name }));
        return 'the database instance exists';
      } catch (err) {
        if (err instanceof Error && err.name === 'DBInstanceNotFoundFault') return undefined;
        throw err;
      }
  }
}

function removal(n: FixedName): string {
  switch (n.kind) {
    case 'bucket':
      return `if it is left from a failed deploy of this stage, empty and delete it: aws s3 rb s3://${n.name} --force --region ${n.region}; if another account owns it, change the stage name`;
    case 'log group':
      return `if it is left from a failed deploy of this stage: aws logs delete-log-group --log-group-name ${n.name} --region ${n.region}`;
    case 'database instance':
      return `if it is left from a failed first deploy of this stage (it holds no data yet): aws rds modify-db-instance --db-instance-identifier ${n.name} --no-deletion-protection --apply-immediately --region ${n.region} && aws rds delete-db-instance --db-instance-identifier ${n.name} --skip-final-snapshot --region ${n.region}`;
  }
}
