import { CONTROLS } from '../../../lib/compliance/controls';
import { aws, answerFrom, compliantWorld, resultOf, stageConfig, verify } from './fixtures';

describe('npm run verify on a compliant account', () => {
  it('passes every check of staging and skips the cross-region replica, Shield Advanced and SAML, which staging does not use', async () => {
    answerFrom(compliantWorld(stageConfig('staging')));

    const run = await verify(['--stage', 'staging']);

    expect(run.code).toBe(0);
    const notPassing = run.results.filter((r) => r.result !== 'PASS');
    expect(notPassing.map((r) => [r.control, r.check, r.result])).toEqual([
      ['DR-REPL', 'cross-region read replica replicates the primary', 'SKIP'],
      ['DR-REPL', 'cross-region replica lag within the alarm threshold', 'SKIP'],
      ['DDOS', 'Shield Advanced protects the load balancer', 'SKIP'],
      ['DDOS', 'Shield Advanced protects the distribution', 'SKIP'],
      ['IAM-SSO', 'CMS client signs people in through the SAML provider only', 'SKIP'],
    ]);
    expect(notPassing[0].evidence).toBe(
      'database.crossRegionReplica is off for stage staging: eu-central-1 holds the replicated backups only',
    );
    expect(notPassing[2].evidence).toContain('shield.advanced is off for stage staging');
    expect(notPassing[4].evidence).toBe('stage uses local users (no people.saml)');
    expect(run.stderr).toContain('42 checks: 37 PASS, 0 FAIL, 5 SKIP');
  });

  it('passes every check of production, Shield Advanced and the SAML provider included', async () => {
    answerFrom(compliantWorld(stageConfig('production')));

    const run = await verify(['--stage', 'production']);

    expect(run.code).toBe(0);
    expect(run.results.filter((r) => r.result !== 'PASS')).toEqual([]);
    expect(run.results.filter((r) => r.control === 'DDOS').map((r) => r.evidence)).toEqual([
      expect.stringContaining('protection bulwark-production-alb'),
      expect.stringContaining('protection bulwark-production-cdn'),
    ]);
    expect(
      resultOf(run.results, 'CMS client signs people in through the SAML provider only'),
    ).toEqual({
      control: 'IAM-SSO',
      check: 'CMS client signs people in through the SAML provider only',
      result: 'PASS',
      evidence:
        "CorporateIdP: ProviderType SAML; client identity providers [CorporateIdP]; expected the SAML provider CorporateIdP (people.saml) as the CMS client's only identity provider",
    });
  });

  it('names a control of the catalogue on every result, covering each checked area', async () => {
    answerFrom(compliantWorld(stageConfig('production')));

    const { results } = await verify(['--stage', 'production']);

    const catalogue = new Set(CONTROLS.map((c) => c.id));
    expect(results.filter((r) => !catalogue.has(r.control))).toEqual([]);
    expect(new Set(results.map((r) => r.control))).toEqual(
      new Set([
        'THR-DETECT',
        'WAF-EDGE',
        'THR-BLOCK',
        'MON-AUDIT',
        'BKP-DAILY',
        'BKP-REMOTE',
        'ENC-REST',
        'ENC-TRANSIT',
        'ACC-DATA',
        'BKP-DB',
        'DR-REPL',
        'DDOS',
        'MON-ALERT',
        'IAM-SSO',
      ]),
    );
  });

  it('states observed and expected values in the evidence', async () => {
    answerFrom(compliantWorld(stageConfig('production')));

    const { results } = await verify(['--stage', 'production']);

    const evidence = (check: string) => results.find((r) => r.check === check)?.evidence;
    expect(evidence('backup vault locks objects')).toMatch(
      /backupbucket.*: COMPLIANCE 30 days; expected COMPLIANCE 30 days$/,
    );
    expect(evidence('database read replicas as configured')).toBe(
      'bulwark-production-db: 2 read replicas (bulwark-production-db-replica-1, bulwark-production-db-replica-2), plus cross-region arn:aws:rds:eu-central-1:222222222222:db:bulwark-production-db-dr; expected 2',
    );
    expect(evidence('user pool requires TOTP MFA')).toBe(
      'eu-west-1_AbCdEf123: MfaConfiguration ON, software token MFA enabled; expected ON with software token MFA enabled',
    );
    expect(evidence('CMS client is public, code grant only, with short revocable tokens')).toBe(
      '4ibc2ngrmk8ut0o8b6example: no secret, AllowedOAuthFlows [code], token revocation on, access tokens valid 15 minutes; expected no secret, [code], revocation, ≤ 15 minutes',
    );
  });

  it('prints a table of control, check, result and evidence without --json', async () => {
    answerFrom(compliantWorld(stageConfig('staging')));

    const run = await verify(['--stage', 'staging'], { table: true });

    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^CONTROL\s+CHECK\s+RESULT\s+EVIDENCE$/);
    expect(lines).toHaveLength(43);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^THR-DETECT\s+GuardDuty detector is enabled\s+PASS\s+detector \S+ is ENABLED/,
      ),
    );
    expect(() => JSON.parse(run.stdout)).toThrow();
  });

  it('only reads the account: every call is a Describe, Get or List', async () => {
    answerFrom(compliantWorld(stageConfig('production')));

    await verify(['--stage', 'production']);

    const sent = Object.values(aws).flatMap((m) =>
      m.calls().map((c) => (c.args[0] as object).constructor.name),
    );
    expect(sent.length).toBeGreaterThan(20);
    expect(sent.filter((name) => !/^(Describe|Get|List)\w+Command$/.test(name))).toEqual([]);
  });

  it('reads the primary-region stacks in the region given with --region', async () => {
    const cfg = stageConfig('staging');
    const world = compliantWorld(cfg);
    // The nightly export publishes its metric in the primary region it runs in.
    for (const m of world.metrics) if (m.region === cfg.region) m.region = 'eu-west-2';
    answerFrom(world);

    const run = await verify(['--stage', 'staging', '--region', 'eu-west-2']);

    expect(run.code).toBe(0);
    const regionsOf = async (stack: string) =>
      Promise.all(
        aws.cloudFormation
          .calls()
          .filter((c) => (c.args[0].input as { StackName?: string }).StackName === stack)
          .map((c) =>
            (c.thisValue as { config: { region: () => Promise<string> } }).config.region(),
          ),
      );
    expect(new Set(await regionsOf('Bulwark-Staging-Data'))).toEqual(new Set(['eu-west-2']));
    expect(new Set(await regionsOf('Bulwark-Staging-Edge'))).toEqual(new Set(['us-east-1']));
    expect(new Set(await regionsOf('Bulwark-Staging-Recovery'))).toEqual(new Set([cfg.drRegion]));
  });
});
