import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mapLimit } from '../../scripts/lib/map-limit';
import {
  ALLOW_LIST_FILE,
  type AllowEntry,
  judge,
  parseAllowList,
  readAllowList,
  resourcePage,
} from '../../scripts/lib/template-lint/allow-list';
import {
  groupByRegion,
  manifestContents,
  readAssembly,
  regionOfEnvironment,
} from '../../scripts/lib/template-lint/assembly';
import { cfnLintArgs, cfnLintExitProblem } from '../../scripts/lib/template-lint/cfn-lint';
import {
  type TemplateInfo,
  parseCfnLintJson,
  placeFinding,
} from '../../scripts/lib/template-lint/findings';
import {
  EXIT_CANNOT_RUN,
  EXIT_CLEAN,
  EXIT_FINDINGS,
  countByRule,
  exitCode,
  formatJson,
  formatText,
} from '../../scripts/lib/template-lint/report';
import { run } from '../../scripts/lib/template-lint/run';
import type { CfnLintFinding, Finding } from '../../scripts/lib/template-lint/types';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-lint-'));

/** A finding exactly as `cfn-lint --format json` prints it. */
function cfnLintFinding(
  filename: string,
  rule: string,
  level: CfnLintFinding['Level'],
  location: (string | number)[],
  message: string,
) {
  return {
    Filename: filename,
    Id: '474be81a-906d-6b2a-d1e9-db02bf55de26',
    Level: level,
    Location: {
      End: { ColumnNumber: 11, LineNumber: 1652 },
      Path: location,
      Start: { ColumnNumber: 5, LineNumber: 1652 },
    },
    Message: message,
    ParentId: null,
    Rule: {
      Description: 'Making sure that resources properties are properly configured',
      Id: rule,
      ShortDescription: 'Resource properties are invalid',
      Source:
        'https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/cfn-schema-specification.md#properties',
    },
  };
}

const TAGS_UNEXPECTED = "Additional properties are not allowed ('Tags' was unexpected)";
const DATA = path.resolve('asm', 'Bulwark-Staging-Data.template.json');
const APP = path.resolve('asm', 'Bulwark-Staging-App.template.json');

const templates = new Map<string, TemplateInfo>([
  [
    DATA,
    {
      stack: 'Bulwark-Staging-Data',
      region: 'eu-west-1',
      resourceTypes: new Map([
        ['DatabasePrimaryProxyProxyTargetGroupA38DD734', 'AWS::RDS::DBProxyTargetGroup'],
        ['DatabaseProxy', 'AWS::RDS::DBProxy'],
      ]),
    },
  ],
  [
    APP,
    {
      stack: 'Bulwark-Staging-App',
      region: 'eu-west-1',
      resourceTypes: new Map([
        ['LoadBalancerHttpsA7E49D2F', 'AWS::ElasticLoadBalancingV2::Listener'],
        ['ContentApiF6C94D8B', 'AWS::Lambda::Function'],
      ]),
    },
  ],
]);

const raw = {
  proxyTargetGroupTags: cfnLintFinding(
    DATA,
    'E3002',
    'Error',
    ['Resources', 'DatabasePrimaryProxyProxyTargetGroupA38DD734', 'Properties', 'Tags'],
    TAGS_UNEXPECTED,
  ),
  proxyTags: cfnLintFinding(
    DATA,
    'E3002',
    'Error',
    ['Resources', 'DatabaseProxy', 'Properties', 'Tags'],
    TAGS_UNEXPECTED,
  ),
  listenerTags: cfnLintFinding(
    APP,
    'E3002',
    'Error',
    ['Resources', 'LoadBalancerHttpsA7E49D2F', 'Properties', 'Tags'],
    TAGS_UNEXPECTED,
  ),
  memorySize: cfnLintFinding(
    APP,
    'E3012',
    'Error',
    ['Resources', 'ContentApiF6C94D8B', 'Properties', 'MemorySize'],
    "'lots' is not of type 'integer'",
  ),
  dependsOn: cfnLintFinding(
    APP,
    'W3005',
    'Warning',
    ['Resources', 'ContentApiF6C94D8B', 'DependsOn', 0],
    "'ContentApiServiceRole' dependency already enforced by a 'GetAtt'",
  ),
};

const place = (f: CfnLintFinding): Finding => placeFinding(f, 'eu-west-1', templates);

const entry = (resourceType: string, page: string, property = 'Tags'): AllowEntry => ({
  rule: 'E3002',
  resourceType,
  property,
  reason: `The CloudFormation schema of ${resourceType} documents ${property}; the schema bundled with cfn-lint predates it.`,
  document: `https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/${page}`,
});
const proxyTargetGroupEntry = entry(
  'AWS::RDS::DBProxyTargetGroup',
  'aws-resource-rds-dbproxytargetgroup.html',
);
const listenerEntry = entry(
  'AWS::ElasticLoadBalancingV2::Listener',
  'aws-resource-elasticloadbalancingv2-listener.html',
);

describe('the assembly manifest', () => {
  const manifest = {
    version: '55.0.0',
    artifacts: {
      'Bulwark-Staging-Network.assets': {
        type: 'cdk:asset-manifest',
        properties: { file: 'Bulwark-Staging-Network.assets.json' },
      },
      'Bulwark-Staging-Network': {
        type: 'aws:cloudformation:stack',
        environment: 'aws://111111111111/eu-west-1',
        properties: { templateFile: 'Bulwark-Staging-Network.template.json' },
      },
      'Bulwark-Staging-Edge': {
        type: 'aws:cloudformation:stack',
        environment: 'aws://111111111111/us-east-1',
        properties: { templateFile: 'Bulwark-Staging-Edge.template.json' },
      },
      'Bulwark-Staging-Recovery': {
        type: 'aws:cloudformation:stack',
        environment: 'aws://111111111111/eu-central-1',
        properties: { templateFile: 'Bulwark-Staging-Recovery.template.json' },
      },
      'Bulwark-Production-Network': {
        type: 'aws:cloudformation:stack',
        environment: 'aws://222222222222/eu-west-1',
        properties: { templateFile: 'Bulwark-Production-Network.template.json' },
      },
      Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
    },
  };

  it('gives each stack its template file and the region of its environment', () => {
    const contents = manifestContents(manifest, '/asm');
    expect(contents).toEqual({
      ok: true,
      value: {
        nested: [],
        stacks: [
          {
            stack: 'Bulwark-Staging-Network',
            region: 'eu-west-1',
            templateFile: path.resolve('/asm', 'Bulwark-Staging-Network.template.json'),
          },
          {
            stack: 'Bulwark-Staging-Edge',
            region: 'us-east-1',
            templateFile: path.resolve('/asm', 'Bulwark-Staging-Edge.template.json'),
          },
          {
            stack: 'Bulwark-Staging-Recovery',
            region: 'eu-central-1',
            templateFile: path.resolve('/asm', 'Bulwark-Staging-Recovery.template.json'),
          },
          {
            stack: 'Bulwark-Production-Network',
            region: 'eu-west-1',
            templateFile: path.resolve('/asm', 'Bulwark-Production-Network.template.json'),
          },
        ],
      },
    });
  });

  it('groups the stacks by region, one cfn-lint run per region', () => {
    const contents = manifestContents(manifest, '/asm');
    if (!contents.ok) throw new Error(contents.problem);
    const groups = groupByRegion(contents.value.stacks);
    expect([...groups].map(([region, stacks]) => [region, stacks.map((s) => s.stack)])).toEqual([
      ['eu-central-1', ['Bulwark-Staging-Recovery']],
      ['eu-west-1', ['Bulwark-Production-Network', 'Bulwark-Staging-Network']],
      ['us-east-1', ['Bulwark-Staging-Edge']],
    ]);
  });

  it('follows nested assemblies of stages', () => {
    const contents = manifestContents(
      {
        artifacts: {
          assemblyStaging: {
            type: 'cdk:cloud-assembly',
            properties: { directoryName: 'assembly-Staging' },
          },
        },
      },
      '/asm',
    );
    expect(contents).toEqual({
      ok: true,
      value: { stacks: [], nested: [path.resolve('/asm', 'assembly-Staging')] },
    });
  });

  it.each([
    ['aws://111111111111/eu-west-1', 'eu-west-1'],
    ['aws://unknown-account/us-east-1', 'us-east-1'],
    ['aws://111111111111/unknown-region', undefined],
    ['eu-west-1', undefined],
    [undefined, undefined],
  ])('reads the region of environment %p as %p', (environment, region) => {
    expect(regionOfEnvironment(environment)).toBe(region);
  });

  it('rejects a stack without a concrete region, naming it', () => {
    const contents = manifestContents(
      {
        artifacts: {
          Agnostic: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://unknown-account/unknown-region',
            properties: { templateFile: 'Agnostic.template.json' },
          },
        },
      },
      '/asm',
    );
    expect(contents.ok).toBe(false);
    expect(!contents.ok && contents.problem).toContain('Stack Agnostic has no concrete region');
  });

  it('rejects a directory without a manifest, asking for a synth', () => {
    const result = readAssembly(path.join(tmp(), 'cdk.out'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain('Run `npm run synth` first');
  });
});

describe('cfn-lint output', () => {
  it('parses the findings of cfn-lint --format json', () => {
    const parsed = parseCfnLintJson(JSON.stringify([raw.proxyTargetGroupTags, raw.dependsOn]));
    expect(parsed.ok && parsed.value.map((f) => [f.Rule.Id, f.Level])).toEqual([
      ['E3002', 'Error'],
      ['W3005', 'Warning'],
    ]);
    expect(parseCfnLintJson('[]')).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['usage text', 'usage: cfn-lint test.yaml'],
    ['an object', '{"Level":"Error"}'],
    ['a finding without a rule', JSON.stringify([{ ...raw.memorySize, Rule: {} }])],
  ])('rejects %s', (_, text) => {
    expect(parseCfnLintJson(text).ok).toBe(false);
  });

  it('places a finding at its stack, resource, type, property and path', () => {
    expect(place(raw.proxyTargetGroupTags)).toEqual({
      stack: 'Bulwark-Staging-Data',
      region: 'eu-west-1',
      logicalId: 'DatabasePrimaryProxyProxyTargetGroupA38DD734',
      resourceType: 'AWS::RDS::DBProxyTargetGroup',
      property: 'Tags',
      path: 'Properties.Tags',
      rule: 'E3002',
      level: 'Error',
      message: TAGS_UNEXPECTED,
    });
    expect(place(raw.dependsOn)).toMatchObject({ path: 'DependsOn[0]', rule: 'W3005' });
    expect(place(raw.dependsOn).property).toBeUndefined();
  });

  it.each([0, 2, 4, 6, 8, 14])('treats exit code %p as a findings bit mask', (code) => {
    expect(cfnLintExitProblem(code)).toBeUndefined();
  });

  it.each([
    [1, 'usage or configuration failure'],
    [32, 'not a findings code'],
    [null, 'stopped by SIGTERM'],
  ])('fails to run on exit code %p', (code, problem) => {
    expect(cfnLintExitProblem(code, code === null ? 'SIGTERM' : null)).toContain(problem);
  });

  it('asks cfn-lint for JSON for one region, reading no rc file, with errors and warnings mandatory', () => {
    expect(cfnLintArgs('us-east-1', ['a.json', 'b.json'])).toEqual([
      '--format',
      'json',
      '--regions',
      'us-east-1',
      '--config-file',
      os.devNull,
      '--mandatory-checks',
      'E',
      'W',
      '--non-zero-exit-code',
      'informational',
      '--',
      'a.json',
      'b.json',
    ]);
  });

  it('runs at most two regions at once, keeping their order', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit(['eu-central-1', 'eu-west-1', 'us-east-1'], 2, async (r) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      return r.toUpperCase();
    });
    expect(out).toEqual(['EU-CENTRAL-1', 'EU-WEST-1', 'US-EAST-1']);
    expect(most).toBe(2);
  });
});

describe('the allow-list', () => {
  const findings = Object.values(raw).map(place);

  it('allows only the error whose rule, resource type and property match an entry', () => {
    const j = judge(findings, [proxyTargetGroupEntry, listenerEntry]);
    expect(j.allowed.map((a) => a.finding.logicalId)).toEqual([
      'DatabasePrimaryProxyProxyTargetGroupA38DD734',
      'LoadBalancerHttpsA7E49D2F',
    ]);
    // Tags on the DBProxy itself is not allowed by the target group's entry.
    expect(j.errors.map((e) => `${e.logicalId} ${e.rule}`)).toEqual([
      'DatabaseProxy E3002',
      'ContentApiF6C94D8B E3012',
    ]);
    expect(j.stale).toEqual([]);
    expect(exitCode(j)).toBe(EXIT_FINDINGS);
  });

  it('passes when every error is allowed schema lag, reporting warnings without failing', () => {
    const j = judge(findings.slice(0, 1).concat(place(raw.dependsOn)), [proxyTargetGroupEntry]);
    expect(j.errors).toEqual([]);
    expect(countByRule(j.warnings)).toEqual([['W3005', 1]]);
    expect(exitCode(j)).toBe(EXIT_CLEAN);
    expect(formatText(j, '.github/cfn-lint-allowed.json')).toContain(
      'E3002 AWS::RDS::DBProxyTargetGroup Tags: Bulwark-Staging-Data/DatabasePrimaryProxyProxyTargetGroupA38DD734',
    );
    expect(JSON.parse(formatJson(j, '1.51.0')).warnings).toHaveLength(1);
  });

  it('fails an entry that matches no finding any more, naming it', () => {
    const j = judge([place(raw.proxyTargetGroupTags)], [proxyTargetGroupEntry, listenerEntry]);
    expect(j.errors).toEqual([]);
    expect(j.stale).toEqual([listenerEntry]);
    expect(exitCode(j)).toBe(EXIT_FINDINGS);
    expect(formatText(j, '.github/cfn-lint-allowed.json')).toContain(
      'delete it from .github/cfn-lint-allowed.json:\n  E3002 AWS::ElasticLoadBalancingV2::Listener Tags',
    );
  });

  it('fails an error with stack, resource, property path, rule and message', () => {
    const text = formatText(judge([place(raw.memorySize)], []), 'allow.json');
    expect(text).toMatch(
      /Bulwark-Staging-App\s+ContentApiF6C94D8B\s+Properties\.MemorySize\s+E3012\s+'lots' is not of type 'integer'/,
    );
  });

  it('accepts a well-formed list', () => {
    expect(
      parseAllowList(JSON.stringify([listenerEntry, proxyTargetGroupEntry]), 'a.json'),
    ).toEqual({ ok: true, value: [listenerEntry, proxyTargetGroupEntry] });
    expect(resourcePage('AWS::ElasticLoadBalancingV2::ListenerRule')).toBe(
      'aws-resource-elasticloadbalancingv2-listenerrule.html',
    );
  });

  it.each([
    ['not JSON', '[', 'is not JSON'],
    ['not an array', '{}', 'must be a JSON array'],
    ['an entry without a document', [{ ...listenerEntry, document: undefined }], 'needs document'],
    ['a short reason', [{ ...listenerEntry, reason: 'cfn-lint is wrong' }], 'at least 40'],
    [
      'a document outside the AWS documentation',
      [{ ...listenerEntry, document: 'https://github.com/aws-cloudformation/cfn-lint/issues/1' }],
      'starting with https://docs.aws.amazon.com/',
    ],
    [
      "another resource type's page",
      [{ ...listenerEntry, document: proxyTargetGroupEntry.document }],
      'the CloudFormation page of AWS::ElasticLoadBalancingV2::Listener',
    ],
    ['a rule other than E3002', [{ ...listenerEntry, rule: 'E3012' }], 'only E3002'],
    ['a nested property path', [{ ...listenerEntry, property: 'Tags.Key' }], 'one top-level'],
    [
      'an unknown key',
      [{ ...listenerEntry, stack: 'Bulwark-Staging-App' }],
      'unknown key(s) stack',
    ],
    ['a repeated entry', [listenerEntry, listenerEntry], '[1] repeats E3002'],
  ])('rejects a list with %s', (_, value, problem) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const result = parseAllowList(text, 'allow.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(problem);
  });

  it("keeps the project's reviewed list well-formed", () => {
    expect(readAllowList(ALLOW_LIST_FILE)).toMatchObject({ ok: true });
  });
});

/** Runs the CLI in-process, collecting what it prints. */
async function lintTemplates(argv: string[], options: Parameters<typeof run>[1] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    ...options,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A one-stack cloud assembly in a temporary directory. */
function assemblyWith(template: object, region = 'eu-west-1'): string {
  const dir = tmp();
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      version: '55.0.0',
      artifacts: {
        'Bulwark-Probe': {
          type: 'aws:cloudformation:stack',
          environment: `aws://111111111111/${region}`,
          properties: { templateFile: 'Bulwark-Probe.template.json' },
        },
      },
    }),
  );
  fs.writeFileSync(path.join(dir, 'Bulwark-Probe.template.json'), JSON.stringify(template));
  return dir;
}

function allowListFile(entries: unknown): string {
  const file = path.join(tmp(), 'cfn-lint-allowed.json');
  fs.writeFileSync(file, typeof entries === 'string' ? entries : JSON.stringify(entries));
  return file;
}

describe('npm run lint:templates', () => {
  it('prints its usage for --help and exits 0', async () => {
    const r = await lintTemplates(['--help']);
    expect(r.code).toBe(EXIT_CLEAN);
    expect(r.stdout).toContain('usage: npm run lint:templates -- [--assembly <dir>] [--json]');
  });

  it.each([
    [
      ['--assembly', 'cdk.out', '--regions', 'eu-west-1'],
      'lint:templates: unknown option --regions (see --help)',
    ],
    [['--assembly'], 'lint:templates: option --assembly needs a value (see --help)'],
    [['--assembly', '--json'], 'lint:templates: option --assembly needs a value (see --help)'],
    [['--assembly='], 'lint:templates: option --assembly needs a value (see --help)'],
    [['cdk.out'], 'lint:templates: unexpected argument cdk.out (see --help)'],
  ])('rejects %p with one line naming it, exit 2', async (argv, line) => {
    const r = await lintTemplates(argv);
    expect(r.code).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toBe(line);
  });

  it('fails to run (exit 2) without an assembly, asking for npm run synth', async () => {
    const r = await lintTemplates(['--assembly', path.join(tmp(), 'cdk.out')]);
    expect(r.code).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toContain('Run `npm run synth` first');
  });

  it('fails to run (exit 2) when cfn-lint is not installed, saying how to get it', async () => {
    const r = await lintTemplates(['--assembly', assemblyWith({ Resources: {} })], {
      cfnLint: 'cfn-lint-not-installed-here',
      allowListFile: allowListFile([]),
    });
    expect(r.code).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toContain('cfn-lint is not installed');
    expect(r.stderr).toContain('pip install cfn-lint');
  });

  it('fails to run (exit 2) on a malformed allow-list, naming the problem', async () => {
    const r = await lintTemplates(['--assembly', assemblyWith({ Resources: {} })], {
      allowListFile: allowListFile([{ ...listenerEntry, reason: 'stale schema' }]),
    });
    expect(r.code).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toMatch(/cfn-lint-allowed\.json\[0\] reason must say why .* at least 40/);
  });

  it('fails (exit 1) on a real cfn-lint error, naming stack, resource, path and rule', async () => {
    const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        'cfn-lint is not on PATH, and this test needs it: it is a Python tool, `pip install cfn-lint`.',
      );
    }
    const assembly = assemblyWith({
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'forever' } },
      },
    });

    const r = await lintTemplates(['--assembly', assembly], { allowListFile: allowListFile([]) });

    expect(r.stderr).not.toContain('cannot run');
    expect(r.code).toBe(EXIT_FINDINGS);
    expect(r.stdout).toMatch(
      /Bulwark-Probe\s+Queue\s+Properties\.MessageRetentionPeriod\s+E3012\s+'forever' is not of type 'integer'/,
    );
    expect(r.stderr).toContain('lint:templates FAILED: 1 template(s) in 1 region(s)');
  });
});
