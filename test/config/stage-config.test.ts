import { ALLOWED_REGIONS, ConfigError, loadStageConfigs } from '../../lib/config';
import { projectContext } from '../support/synth';

type Block = Record<string, any>;
const shipped = () => structuredClone(projectContext().stages as Record<string, Block>);

/** Applies `change` to a copy of the shipped staging block. */
function stagingWith(change: (b: Block) => void): Record<string, Block> {
  const stages = shipped();
  change(stages.staging);
  return { staging: stages.staging };
}

function problemsOf(raw: unknown): string[] {
  try {
    loadStageConfigs(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadStageConfigs', () => {
  it('accepts the shipped staging and production stages', () => {
    const configs = loadStageConfigs(shipped());
    expect(configs.map((c) => [c.name, c.title])).toEqual([
      ['staging', 'Staging'],
      ['production', 'Production'],
    ]);
  });

  it('sizes production up and staging down from the same schema (SDLC-STAGE)', () => {
    const [staging, production] = loadStageConfigs(shipped());
    expect(production.network.azCount).toBe(3);
    expect(production.database.multiAz).toBe(true);
    expect(production.database.readReplicas).toBe(2);
    expect(production.shield.advanced).toBe(true);
    expect(staging.network.azCount).toBe(2);
    expect(staging.database.multiAz).toBe(false);
    expect(staging.database.readReplicas).toBeLessThanOrEqual(1);
    // Large exports and regional failover are production's; staging stays small.
    expect([production.backup.runner, production.database.crossRegionReplica]).toEqual([
      'fargate',
      true,
    ]);
    expect([staging.backup.runner, staging.database.crossRegionReplica]).toEqual(['lambda', false]);
    expect(staging.shield.advanced).toBe(false);
  });

  it.each<[string, (b: Block) => void, RegExp]>([
    [
      'backup retention below 30 days',
      (b) => (b.backupRetentionDays = 7),
      /^stages\.staging\.backupRetentionDays = 7: must be ≥ 30/,
    ],
    [
      'backup retention above the RDS maximum',
      (b) => (b.backupRetentionDays = 40),
      /backupRetentionDays = 40: must be ≤ 35/,
    ],
    [
      'a delivery repository with a wildcard (SDLC-CHANGE)',
      (b) => (b.delivery.repository = 'example-org/*'),
      /^stages\.staging\.delivery\.repository = "example-org\/\*": must be a GitHub repository as owner\/name, without wildcards/,
    ],
    [
      'a delivery environment with a wildcard',
      (b) => (b.delivery.environment = 'prod*'),
      /^stages\.staging\.delivery\.environment = "prod\*": must be a GitHub environment name/,
    ],
    [
      'a delivery branch pattern',
      (b) => (b.delivery.branch = 'release/*'),
      /^stages\.staging\.delivery\.branch = "release\/\*": must be a branch name, without wildcards/,
    ],
    ['no delivery block', (b) => delete b.delivery, /^stages\.staging\.delivery: is required/],
    [
      'an OIDC provider neither created nor existing',
      (b) => (b.delivery.oidcProvider = 'import'),
      /^stages\.staging\.delivery\.oidcProvider = "import": must be 'create' or 'existing'/,
    ],
    [
      'a GovCloud region (PHY-DC)',
      (b) => (b.region = 'us-gov-west-1'),
      /region = "us-gov-west-1": must be a commercial AWS region/,
    ],
    [
      'a China region as DR region (PHY-DC)',
      (b) => (b.drRegion = 'cn-north-1'),
      /drRegion = "cn-north-1": must be a commercial AWS region/,
    ],
    [
      'a DR region equal to the primary region',
      (b) => (b.drRegion = b.region),
      /drRegion = "eu-west-1": must differ from region/,
    ],
    ['an account id that is not 12 digits', (b) => (b.account = '1234'), /account = "1234"/],
    ['a missing account', (b) => delete b.account, /stages\.staging\.account: is required/],
    ['a one-AZ network', (b) => (b.network.azCount = 1), /network\.azCount = 1: must be ≥ 2/],
    [
      'a VPC CIDR that is not a CIDR',
      (b) => (b.network.vpcCidr = '10.0.0.0'),
      /network\.vpcCidr = "10\.0\.0\.0": must be an IPv4 CIDR/,
    ],
    [
      'a VPC too small for the subnets',
      (b) => (b.network.vpcCidr = '10.0.0.0/27'),
      /prefix length must be between \/16 and \/24/,
    ],
    [
      'an unknown instance class',
      (b) => (b.database.instanceClass = 'db.huge'),
      /database\.instanceClass = "db\.huge"/,
    ],
    [
      'too many read replicas',
      (b) => (b.database.readReplicas = 6),
      /database\.readReplicas = 6: must be ≤ 5/,
    ],
    [
      'Multi-AZ given as a string',
      (b) => (b.database.multiAz = 'yes'),
      /database\.multiAz = "yes": must be true or false/,
    ],
    [
      'storage below the gp3 minimum',
      (b) => (b.database.allocatedStorageGiB = 5),
      /allocatedStorageGiB = 5: must be ≥ 20/,
    ],
    [
      'log retention CloudWatch does not offer',
      (b) => (b.logRetentionDays = 100),
      /logRetentionDays = 100: must be a CloudWatch Logs retention value/,
    ],
    [
      'operational logs kept under 90 days (RET-DATA)',
      (b) => (b.logRetentionDays = 30),
      /logRetentionDays = 30: must be ≥ 90/,
    ],
    [
      'an audit trail kept under a year',
      (b) => (b.auditLogRetentionDays = 180),
      /auditLogRetentionDays = 180: must be ≥ 365/,
    ],
    [
      'an alert address that is not an e-mail',
      (b) => (b.alerts.email = 'ops'),
      /alerts\.email = "ops": must be an e-mail address/,
    ],
    [
      'an on-call endpoint over plain HTTP',
      (b) => (b.alerts.onCallUrl = 'http://oncall.example.com/hook'),
      /alerts\.onCallUrl = "http:\/\/oncall\.example\.com\/hook": must use https/,
    ],
    [
      'a GuardDuty severity outside 1-8.9',
      (b) => (b.alerts.guardDutyMinSeverity = 9),
      /guardDutyMinSeverity = 9: must be ≤ 8\.9/,
    ],
    [
      'a trusted CIDR that is not a CIDR',
      (b) => (b.trustedCidrs = ['not-an-ip']),
      /trustedCidrs\.0 = "not-an-ip": must be an IPv4 or IPv6 CIDR/,
    ],
    [
      'trusting the whole internet',
      (b) => (b.trustedCidrs = ['0.0.0.0/0']),
      /trustedCidrs\.0 = "0\.0\.0\.0\/0": is too wide to trust/,
    ],
    [
      'a sign-in domain prefix Cognito refuses',
      (b) => (b.people.domainPrefix = 'bulwark-cognito'),
      /people\.domainPrefix = "bulwark-cognito": must not contain aws, amazon or cognito/,
    ],
    [
      'a callback over plain HTTP to a real host',
      (b) => (b.people.callbackUrls = ['http://cms.example.com/callback']),
      /people\.callbackUrls\.0 = "http:\/\/cms\.example\.com\/callback": must use https:\/\/ \(http:\/\/ only for localhost\)/,
    ],
    [
      'access tokens living longer than an hour',
      (b) => (b.people.accessTokenMinutes = 120),
      /people\.accessTokenMinutes = 120: must be ≤ 60/,
    ],
    [
      'a SAML provider with both a metadata URL and a file',
      (b) =>
        (b.people.saml = {
          name: 'Corp',
          metadataUrl: 'https://idp.example.com/metadata',
          metadataFile: 'idp.xml',
          attributeMapping: { email: 'mail' },
        }),
      /people\.saml\.metadataUrl = "https:\/\/idp\.example\.com\/metadata": set exactly one of metadataUrl and metadataFile/,
    ],
    [
      'a SAML provider that maps no e-mail',
      (b) =>
        (b.people.saml = {
          name: 'Corp',
          metadataUrl: 'https://idp.example.com/metadata',
          attributeMapping: { name: 'cn' },
        }),
      /people\.saml\.attributeMapping = .*must map email/,
    ],
    [
      'a blocklist larger than WAF allows',
      (b) => (b.threatResponse.maxAddressesPerSet = 10_001),
      /threatResponse\.maxAddressesPerSet = 10001: must be ≤ 10000 \(AWS WAF IP set limit\)/,
    ],
    [
      'a per-finding cap of no address',
      (b) => (b.threatResponse.maxAddressesPerFinding = 0),
      /stages\.staging\.threatResponse\.maxAddressesPerFinding = 0: must be ≥ 1/,
    ],
    [
      'a per-finding cap that is not a whole number',
      (b) => (b.threatResponse.maxAddressesPerFinding = 2.5),
      /threatResponse\.maxAddressesPerFinding = 2\.5: must be a whole number/,
    ],
    [
      'a per-finding cap that is not a number',
      (b) => (b.threatResponse.maxAddressesPerFinding = '100'),
      /threatResponse\.maxAddressesPerFinding = "100": must be a number of addresses/,
    ],
    [
      'a per-finding cap larger than the set',
      (b) => (
        (b.threatResponse.maxAddressesPerSet = 500),
        (b.threatResponse.maxAddressesPerFinding = 501)
      ),
      /threatResponse\.maxAddressesPerFinding = 501: must be ≤ maxAddressesPerSet \(500\)/,
    ],
    [
      'a per-finding cap larger than WAF allows',
      (b) => (b.threatResponse.maxAddressesPerFinding = 10_001),
      /threatResponse\.maxAddressesPerFinding = 10001: must be ≤ 10000 \(AWS WAF IP set limit\)/,
    ],
    [
      'a longest block shorter than the first block',
      (b) => ((b.threatResponse.blockDays = 14), (b.threatResponse.maxBlockDays = 7)),
      /threatResponse\.maxBlockDays = 7: must be ≥ blockDays/,
    ],
    [
      'a threat-response severity outside 1-8.9',
      (b) => (b.threatResponse.minSeverity = 0),
      /threatResponse\.minSeverity = 0: must be ≥ 1/,
    ],
    [
      'a rate limit below the WAF minimum',
      (b) => (b.edge.waf.rateLimits.writesPerIp = 5),
      /edge\.waf\.rateLimits\.writesPerIp = 5: must be ≥ 10 \(AWS WAF minimum\)/,
    ],
    [
      'a write limit looser than the global limit',
      (b) => (b.edge.waf.rateLimits.writesPerIp = 5000),
      /edge\.waf\.rateLimits\.writesPerIp = 5000: must be ≤ rateLimits\.perIp/,
    ],
    [
      'an unknown managed-group mode',
      (b) => (b.edge.waf.managedRules.sqlInjection.mode = 'off'),
      /edge\.waf\.managedRules\.sqlInjection\.mode = "off": must be 'block' or 'count'/,
    ],
    [
      'an unknown rule override action',
      (b) => (b.edge.waf.managedRules.common.ruleOverrides = { NoUserAgent_HEADER: 'ignore' }),
      /ruleOverrides\.NoUserAgent_HEADER = "ignore": must be 'block', 'count'/,
    ],
    [
      'a hosted zone that does not hold the domain',
      (b) => (b.edge.hostedZone = { id: 'Z0123456789EXAMPLE', name: 'example.org' }),
      /edge\.hostedZone\.name = "example\.org": must be staging\.content\.example\.com or one of its parent domains/,
    ],
    [
      'a country code that is not ISO 3166',
      (b) => (b.edge.geoRestriction = { type: 'deny', countries: ['Narnia'] }),
      /edge\.geoRestriction\.countries\.0 = "Narnia": must be an ISO 3166-1 alpha-2 code/,
    ],
    [
      'Shield Advanced without a confirmed subscription',
      (b) => (b.shield = { advanced: true }),
      /shield\.subscriptionActive = missing: must be true when advanced is on/,
    ],
    [
      'a backup time that is not HH:MM',
      (b) => (b.backup.scheduleUtc = '2am'),
      /backup\.scheduleUtc = "2am": must be a UTC time of day as HH:MM/,
    ],
    [
      'a backup timeout above the Lambda maximum',
      (b) => (b.backup.timeoutMinutes = 30),
      /backup\.timeoutMinutes = 30: must be ≤ 15 \(Lambda maximum\); longer exports need runner "fargate"/,
    ],
    [
      'an unknown backup runner',
      (b) => (b.backup.runner = 'ec2'),
      /backup\.runner = "ec2": must be 'lambda' or 'fargate'/,
    ],
    [
      'a Lambda backup with more memory than Lambda allows',
      (b) => (b.backup.memoryMiB = 16384),
      /backup\.memoryMiB = 16384: must be ≤ 10240 \(Lambda maximum\)/,
    ],
    [
      'a CPU for the Lambda runner',
      (b) => (b.backup.cpu = 1024),
      /backup\.cpu = 1024: is only for runner "fargate"/,
    ],
    [
      'a Fargate backup without a CPU',
      (b) => (b.backup = { ...b.backup, runner: 'fargate', memoryMiB: 2048 }),
      /backup\.cpu = missing: is required with runner "fargate": one of 256, 512, 1024, 2048, 4096, 8192, 16384/,
    ],
    [
      'a Fargate CPU value Fargate does not offer',
      (b) => (b.backup = { ...b.backup, runner: 'fargate', cpu: 3072, memoryMiB: 8192 }),
      /backup\.cpu = 3072: must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192, 16384/,
    ],
    [
      'a Fargate memory size that does not go with its CPU',
      (b) => (b.backup = { ...b.backup, runner: 'fargate', cpu: 4096, memoryMiB: 4096 }),
      /backup\.memoryMiB = 4096: must be a Fargate memory size for cpu 4096: 8192 to 30720 in steps of 1024/,
    ],
    [
      'a Fargate memory size off its steps',
      (b) => (b.backup = { ...b.backup, runner: 'fargate', cpu: 8192, memoryMiB: 17408 }),
      /backup\.memoryMiB = 17408: must be a Fargate memory size for cpu 8192: 16384 to 61440 in steps of 4096/,
    ],
    [
      'a Fargate run longer than a day',
      (b) =>
        (b.backup = {
          ...b.backup,
          runner: 'fargate',
          cpu: 1024,
          memoryMiB: 2048,
          timeoutMinutes: 1441,
        }),
      /backup\.timeoutMinutes = 1441: must be ≤ 1440 \(a day\)/,
    ],
    [
      'a cross-region replica that is not a boolean',
      (b) => (b.database.crossRegionReplica = 'yes'),
      /database\.crossRegionReplica = "yes": must be true or false/,
    ],
    [
      'an unknown GuardDuty mode',
      (b) => (b.guardDuty = 'maybe'),
      /guardDuty = "maybe": must be 'create' or 'existing'/,
    ],
    [
      'a misspelt key',
      (b) => (b.backupRetentionDay = 30),
      /stages\.staging: unknown key\(s\) backupRetentionDay/,
    ],
    [
      'a domain that is not a DNS name',
      (b) => (b.domainName = 'https://example.com'),
      /domainName = "https:\/\/example\.com": must be a lower-case DNS name/,
    ],
  ])('rejects %s, naming the key and the value', (_, change, expected) => {
    const problems = problemsOf(stagingWith(change));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('reports every problem of every stage in one error', () => {
    const stages = shipped();
    stages.staging.backupRetentionDays = 7;
    stages.staging.region = 'moon-1';
    stages.production.alerts.email = 'nobody';
    const err = (() => {
      try {
        loadStageConfigs(stages);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.problems).toHaveLength(3);
    expect(err.message).toContain('stages.staging.backupRetentionDays = 7: must be ≥ 30');
    expect(err.message).toContain('stages.staging.region = "moon-1"');
    expect(err.message).toContain('stages.production.alerts.email = "nobody"');
  });

  it('rejects a stage name that cannot become a stack name', () => {
    const stages = shipped();
    expect(problemsOf({ 'Prod Env': stages.production })).toEqual([
      expect.stringMatching(/^stages\.Prod Env: stage name must be lower-case/),
    ]);
  });

  it.each([undefined, [], 'staging', {}])('rejects a stages block of %p', (raw) => {
    expect(problemsOf(raw)[0]).toMatch(/^stages: /);
  });

  it('offers only commercial regions', () => {
    expect(ALLOWED_REGIONS.length).toBeGreaterThan(20);
    for (const region of ALLOWED_REGIONS) {
      expect(region).not.toMatch(/^(us-gov|cn|us-iso|eusc)-/);
    }
  });
});

describe('threatResponse defaults', () => {
  it('blocks for 7 days, at most 90, in sets of up to 10,000 addresses when only minSeverity is set', () => {
    const [cfg] = loadStageConfigs(stagingWith((b) => (b.threatResponse = { minSeverity: 5 })));
    expect(cfg.threatResponse).toEqual({
      minSeverity: 5,
      blockDays: 7,
      maxBlockDays: 90,
      maxAddressesPerSet: 10_000,
      maxAddressesPerFinding: 100,
    });
  });

  it('caps a finding at the set size when the set holds fewer than 100 addresses', () => {
    const [cfg] = loadStageConfigs(
      stagingWith((b) => (b.threatResponse = { minSeverity: 5, maxAddressesPerSet: 40 })),
    );
    expect(cfg.threatResponse.maxAddressesPerFinding).toBe(40);
  });

  it('takes the shipped stages’ per-finding cap from cdk.json', () => {
    for (const cfg of loadStageConfigs(shipped())) {
      expect(cfg.threatResponse.maxAddressesPerFinding).toBe(100);
    }
  });
});

describe('delivery across stages (SDLC-CHANGE)', () => {
  it('refuses two stages of one account that both create the GitHub OIDC provider', () => {
    const stages = shipped();
    stages.production.account = stages.staging.account;
    expect(problemsOf(stages)).toEqual([
      expect.stringMatching(
        /^stages\.production\.delivery\.oidcProvider = "create": stage staging creates the GitHub OIDC provider of account 111111111111 already; set "existing"$/,
      ),
    ]);
    stages.production.delivery.oidcProvider = 'existing';
    expect(loadStageConfigs(stages)).toHaveLength(2);
  });

  it('refuses two stages deployed from one GitHub environment of one repository', () => {
    const stages = shipped();
    stages.production.delivery.environment = 'staging';
    expect(problemsOf(stages)).toEqual([
      expect.stringMatching(
        /^stages\.production\.delivery\.environment = "staging": stage staging deploys from the same environment of example-org\/bulwark/,
      ),
    ]);
  });

  it('defaults the branch of scheduled checks to main', () => {
    const stages = shipped();
    delete stages.staging.delivery.branch;
    expect(loadStageConfigs(stages)[0].delivery.branch).toBe('main');
  });
});
