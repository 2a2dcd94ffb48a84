import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONTROLS } from '../../lib/compliance/controls';
import { ANNEX_A, ISO_27001_MAPPING } from '../../lib/compliance/iso27001';
import { buildReport, writeReport } from '../../lib/compliance/report';
import { copyOfSharedAssembly } from '../support/assembly-copy';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';

/** Every control Bulwark promises, as in its control catalogue. */
const CATALOGUE = [
  'ENC-REST',
  'ENC-TRANSIT',
  'BKP-DAILY',
  'BKP-DB',
  'BKP-REMOTE',
  'BKP-VERIFY',
  'ACC-DATA',
  'NET-SG',
  'WAF-EDGE',
  'WAF-BRUTE',
  'THR-DETECT',
  'THR-BLOCK',
  'HDR-SECURE',
  'RET-DATA',
  'MON-AUDIT',
  'MON-ALERT',
  'AVL-LB',
  'AVL-CDN',
  'DDOS',
  'DR-REPL',
  'API-KEYS',
  'API-AUTHZ',
  'API-ROLES',
  'IAM-SSO',
  'SDLC-CI',
  'SDLC-STAGE',
  'SDLC-CHANGE',
  'PHY-DC',
  'DEP-READY',
];
const ROOT = path.join(__dirname, '..', '..');

describe('control catalogue', () => {
  it('lists every control once', () => {
    expect(CONTROLS.map((c) => c.id).sort()).toEqual([...CATALOGUE].sort());
  });

  it.each(CONTROLS.filter((c) => c.status !== 'planned').map((c) => [c.id, c] as const))(
    '%s names its implementation and tests that exist',
    (_, control) => {
      expect(control.implementedBy.length).toBeGreaterThan(0);
      expect(control.tests.length).toBeGreaterThan(0);
      for (const t of control.tests) expect(fs.existsSync(path.join(ROOT, t))).toBe(true);
    },
  );

  it('maps every control to ISO/IEC 27001:2022 Annex A controls with titles', () => {
    expect(Object.keys(ISO_27001_MAPPING).sort()).toEqual([...CATALOGUE].sort());
    for (const annex of Object.values(ISO_27001_MAPPING).flat()) {
      expect(annex).toMatch(/^[5-8]\.\d+$/);
      expect(ANNEX_A[annex]).toEqual(expect.any(String));
    }
  });

  it.each(CONTROLS.flatMap((c) => c.evidence.map((e) => [c.id, e.claim, e] as const)))(
    '%s: "%s" does not hold of a resource without properties',
    (_, __, e) => {
      // No claim may hold whatever the template says: each states a property.
      const bare = { Type: e.type, Properties: {} };
      expect(
        e.holds({}, bare, { stage: 'Staging', logicalId: 'Bare', resources: { Bare: bare } }),
      ).toBe(false);
    },
  );

  it('gives template evidence for every enforced or partial control but CI itself', () => {
    const withoutEvidence = CONTROLS.filter(
      (c) => (c.status === 'enforced' || c.status === 'partial') && c.evidence.length === 0,
    ).map((c) => c.id);
    // SDLC-CI is a property of the pipeline, not of a template; its tests verify it.
    expect(withoutEvidence).toEqual(['SDLC-CI']);
  });

  it('says what is missing for every partial or planned control', () => {
    for (const c of CONTROLS.filter((x) => x.status === 'partial' || x.status === 'planned')) {
      expect([c.id, c.gap?.length ?? 0]).toEqual([c.id, expect.any(Number)]);
      expect(c.gap?.length ?? 0).toBeGreaterThan(10);
    }
  });
});

describe('compliance report', () => {
  const report = buildReport(SHARED_ASSEMBLY_DIR);

  it('resolves the template evidence of every control in both stages', () => {
    const failures = report.controls.flatMap((c) =>
      c.evidence.filter((e) => !e.ok).map((e) => `${c.id} ${e.stage}: ${e.claim}`),
    );
    expect(failures).toEqual([]);
    expect(report.stages.map((s) => s.name)).toEqual(['Staging', 'Production']);
    expect(report.summary.evidenceFailures).toBe(0);
  });

  it('shows, for each resource, the template values that prove the claim', () => {
    const claim = (id: string, text: string) =>
      report.controls
        .find((c) => c.id === id)!
        .evidence.find((e) => e.claim === text && e.stage === 'Production')!;
    expect(claim('ENC-TRANSIT', 'the proxy requires TLS').matches).toEqual([
      {
        stack: 'Bulwark-Production-Data',
        logicalId: 'DatabasePrimaryProxyDA56915C',
        properties: { RequireTLS: 'true' },
      },
    ]);
    expect(
      claim(
        'SDLC-CHANGE',
        'the primary database is snapshotted on delete (replicas hold no data of their own)',
      ).matches[0].properties,
    ).toEqual({
      DeletionPolicy: '"Snapshot"',
    });
  });

  it('reports a control whose resources lose the property that makes it true', () => {
    const dir = copyOfSharedAssembly('bulwark-report-');
    const file = path.join(dir, 'Bulwark-Production-Data.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const r of Object.values<any>(template.Resources)) {
      if (r.Type === 'AWS::RDS::DBProxy') r.Properties.RequireTLS = false;
    }
    fs.writeFileSync(file, JSON.stringify(template));
    const broken = buildReport(dir);
    const transit = broken.controls.find((c) => c.id === 'ENC-TRANSIT')!;
    expect(transit.ok).toBe(false);
    expect(transit.evidence.filter((e) => !e.ok)).toEqual([
      expect.objectContaining({
        stage: 'Production',
        claim: 'the proxy requires TLS',
        matches: [],
        failures: [
          {
            stack: 'Bulwark-Production-Data',
            logicalId: 'DatabasePrimaryProxyDA56915C',
            properties: { RequireTLS: 'false' },
          },
        ],
      }),
    ]);
    expect(broken.summary.evidenceFailures).toBe(1);
    fs.writeFileSync(
      path.join(dir, 'validation-report.json'),
      JSON.stringify({
        pluginReports: [
          {
            pluginName: 'AwsSolutions',
            violations: [
              {
                ruleName: 'AwsSolutions-S1',
                description: 'The S3 Bucket has server access logs disabled.',
                violatingConstructs: [
                  { constructPath: 'Bulwark-Production-Data/AssetsBucket/Resource' },
                ],
              },
            ],
          },
        ],
      }),
    );

    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', 'report.ts'), '--assembly', dir],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(
      'MISSING ENC-TRANSIT (Production): the proxy requires TLS: does not hold for 1 of 1 AWS::RDS::DBProxy in Data: DatabasePrimaryProxyDA56915C (RequireTLS=false)',
    );
    const sarif = JSON.parse(fs.readFileSync(path.join(dir, 'compliance', 'report.sarif'), 'utf8'));
    expect(
      sarif.runs[0].results.map((x: any) => [
        x.ruleId,
        x.locations[0].logicalLocations[0].fullyQualifiedName,
      ]),
    ).toEqual([
      ['AwsSolutions-S1', 'Bulwark-Production-Data/AssetsBucket/Resource'],
      ['ENC-TRANSIT', 'Bulwark-Production-Data'],
    ]);
    const markdown = fs.readFileSync(path.join(dir, 'compliance', 'report.md'), 'utf8');
    expect(markdown).toContain(
      '✗ Production: the proxy requires TLS (every AWS::RDS::DBProxy: holds for none; fails for DatabasePrimaryProxyDA56915C)',
    );
  });

  it('lists every acknowledged finding with its reason', () => {
    expect(report.acknowledgements.length).toBeGreaterThan(20);
    for (const a of report.acknowledgements) {
      expect(a.path).toMatch(/^Bulwark-\w+-\w+\//);
      expect(a.reason.length).toBeGreaterThan(40);
    }
  });

  it('writes JSON, Markdown and a self-contained HTML page naming every control', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-report-'));
    const files = writeReport(report, dir);
    expect(files.map((f) => path.basename(f))).toEqual([
      'report.json',
      'report.md',
      'report.html',
      'report.sarif',
    ]);
    const sarif = JSON.parse(fs.readFileSync(path.join(dir, 'report.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([]);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    for (const id of CATALOGUE) expect(html).toMatch(new RegExp(`<details [^>]*id="${id}"`));
    expect(html).toContain('A.8.24 Use of cryptography');
    expect(html).toContain('<b>Custom::Trigger and its provider Lambda (App stack)</b>');
    // Self-contained: its one inline script, nothing loaded, links only to its own anchors.
    expect(html.match(/<script\b/gi)).toHaveLength(1);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b|\bsrc=/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(CATALOGUE.length);
    expect(hrefs.filter((h) => !/^#[\w-]+$/.test(h!))).toEqual([]);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(json.format).toBe('bulwark-compliance-report/2');
    const markdown = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain(
      '| control | status | ISO/IEC 27001 Annex A | evidence | tests | live checks |',
    );
    const rows = markdown.split('\n').filter((l) => l.startsWith('| **'));
    expect(rows).toHaveLength(CATALOGUE.length);
    // Every row has its six cells: no pipe or newline inside a claim, reason or gap breaks one.
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(8);
    const encRest = rows.find((l) => l.startsWith('| **ENC-REST**'))!;
    expect(encRest).toMatch(/✓ Production: .*\(every AWS::KMS::Key: holds for \w+/);
    expect(encRest).toContain('verify: ');
    const phy = rows.find((l) => l.startsWith('| **PHY-DC**'))!;
    expect(phy).toMatch(/\| none: .+ \|$/);
  });
});
