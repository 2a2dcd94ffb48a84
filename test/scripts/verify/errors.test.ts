import { AccessDeniedException as CognitoAccessDenied } from '@aws-sdk/client-cognito-identity-provider';
import { AccessDeniedException as GuardDutyAccessDenied } from '@aws-sdk/client-guardduty';
import { AccessDeniedException as ShieldAccessDenied } from '@aws-sdk/client-shield';
import { WAFNonexistentItemException } from '@aws-sdk/client-wafv2';
import {
  type Refusal,
  accessDenied,
  answerFrom,
  compliantWorld,
  ids,
  resultOf,
  stageConfig,
  verify,
} from './fixtures';

const failure = { httpStatusCode: 403, requestId: 'e7d7b8a2-0b9c-4c2a-9e1d-EXAMPLE22222' };
const principal = 'arn:aws:sts::222222222222:assumed-role/BulwarkReadOnly/alice';

/** Runs production with one kind of call refused; returns the failed results. */
async function refuse(refusal: (cfg: ReturnType<typeof stageConfig>) => Refusal) {
  const cfg = stageConfig('production');
  const world = compliantWorld(cfg);
  world.refusals.push(refusal(cfg));
  answerFrom(world);
  const run = await verify(['--stage', 'production']);
  return { run, failed: run.results.filter((r) => r.result === 'FAIL') };
}

describe('npm run verify when AWS refuses a call', () => {
  it('fails only the backup vault check when GetObjectLockConfiguration is denied on it', async () => {
    const { run, failed } = await refuse((cfg) => ({
      command: 'GetObjectLockConfiguration',
      when: (input) => input.Bucket === ids(cfg).backupBucket,
      error: accessDenied('s3', 'Access Denied'),
    }));

    expect(run.code).toBe(1);
    expect(failed).toEqual([
      {
        control: 'BKP-DAILY',
        check: 'backup vault locks objects',
        result: 'FAIL',
        evidence: 'AccessDenied: Access Denied',
      },
    ]);
    expect(resultOf(run.results, 'replica vault (eu-central-1) locks objects').result).toBe('PASS');
  });

  it('fails both GuardDuty checks with the error name when GetDetector is denied', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'GetDetector',
      error: new GuardDutyAccessDenied({
        $metadata: failure,
        message: `User: ${principal} is not authorized to perform: guardduty:GetDetector`,
        Type: 'AccessDeniedException',
      }),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => [r.control, r.check])).toEqual([
      ['THR-DETECT', 'GuardDuty detector is enabled'],
      ['THR-DETECT', 'GuardDuty protection plans are enabled'],
    ]);
    expect(failed[0].evidence).toMatch(/^AccessDeniedException: User: .* guardduty:GetDetector$/);
  });

  it('fails every database check when DescribeDBInstances is denied', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'DescribeDBInstances',
      error: accessDenied(
        'rds',
        `User: ${principal} is not authorized to perform: rds:DescribeDBInstances`,
      ),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => r.control)).toEqual([
      'ENC-REST',
      'BKP-DB',
      'BKP-DB',
      'DR-REPL',
      'DR-REPL',
      // the parameter group's checks read the instances too
      'ACC-DATA',
      'ENC-TRANSIT',
      'MON-AUDIT',
      'MON-AUDIT',
      // and so does the cross-region replica's, in the DR region
      'DR-REPL',
    ]);
    expect(new Set(failed.map((r) => r.evidence.split(':')[0]))).toEqual(new Set(['AccessDenied']));
  });

  it('fails only the checks that read DescribeUserPool when it is denied', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'DescribeUserPool',
      error: new CognitoAccessDenied({
        $metadata: failure,
        message: `User: ${principal} is not authorized to perform: cognito-idp:DescribeUserPool`,
      }),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => [r.control, r.check])).toEqual([
      ['IAM-SSO', 'user pool enforces the password policy'],
      ['IAM-SSO', 'user pool enforces threat protection'],
      ['IAM-SSO', 'user pool refuses self sign-up and deletion'],
    ]);
    expect(new Set(failed.map((r) => r.evidence))).toEqual(
      new Set([
        `AccessDeniedException: User: ${principal} is not authorized to perform: cognito-idp:DescribeUserPool`,
      ]),
    );
    expect(
      run.results.filter((r) => r.control === 'IAM-SSO' && r.result === 'PASS').map((r) => r.check),
    ).toEqual([
      'user pool requires TOTP MFA',
      'CMS client is public, code grant only, with short revocable tokens',
      'CMS client signs people in through the SAML provider only',
    ]);
  });

  it('fails both client checks when DescribeUserPoolClient is denied', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'DescribeUserPoolClient',
      error: new CognitoAccessDenied({ $metadata: failure, message: 'Access denied' }),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => [r.check, r.evidence])).toEqual([
      [
        'CMS client is public, code grant only, with short revocable tokens',
        'AccessDeniedException: Access denied',
      ],
      [
        'CMS client signs people in through the SAML provider only',
        'AccessDeniedException: Access denied',
      ],
    ]);
  });

  it('reports a denied DescribeIdentityProvider as the error, not as a missing provider', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'DescribeIdentityProvider',
      error: new CognitoAccessDenied({ $metadata: failure, message: 'Access denied' }),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => [r.check, r.evidence])).toEqual([
      [
        'CMS client signs people in through the SAML provider only',
        'AccessDeniedException: Access denied',
      ],
    ]);
  });

  it('reports a denied DescribeProtection as the error, not as a missing protection', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'DescribeProtection',
      error: new ShieldAccessDenied({ $metadata: failure, message: 'Access denied' }),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => [r.control, r.evidence])).toEqual([
      ['DDOS', 'AccessDeniedException: Access denied'],
      ['DDOS', 'AccessDeniedException: Access denied'],
    ]);
  });

  it('fails the alarm check of the stack whose resources cannot be listed', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'ListStackResources',
      when: (input) => input.StackName === 'Bulwark-Production-App',
      error: accessDenied(
        'cloudformation',
        'not authorized to perform: cloudformation:ListStackResources',
      ),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => [r.check, r.evidence])).toEqual([
      [
        'alarms of Bulwark-Production-App page the alert topic',
        'AccessDenied: not authorized to perform: cloudformation:ListStackResources',
      ],
    ]);
  });

  it('fails the web ACL checks when the ACL named by the output no longer exists', async () => {
    const { run, failed } = await refuse(() => ({
      command: 'GetWebACL',
      when: (input) => input.Scope === 'CLOUDFRONT',
      error: new WAFNonexistentItemException({
        $metadata: { ...failure, httpStatusCode: 400 },
        message: "AWS WAF couldn't perform the operation because your resource doesn't exist.",
      }),
    }));

    expect(run.code).toBe(1);
    expect(failed.map((r) => r.check)).toEqual([
      'edge web ACL runs the managed rule groups',
      'edge web ACL blocks the blocklist first',
    ]);
    expect(failed[0].evidence).toMatch(/^WAFNonexistentItemException: /);
  });
});
