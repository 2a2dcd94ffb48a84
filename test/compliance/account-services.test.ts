import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONTROLS } from '../../lib/compliance/controls';
import { buildReport, evidenceFailures, writeReport } from '../../lib/compliance/report';
import { loadStageConfigs } from '../../lib/config';
import { ACCOUNT_SERVICES_METADATA } from '../../lib/stage-layout';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';
import { copyOfSharedAssembly, editTemplate } from '../support/assembly-copy';
import { synthesizeStageInto } from '../support/stage-templates';
import { projectContext } from '../support/synth';

const shipped = projectContext().stages as Record<string, Record<string, unknown>>;
const ACCOUNT_CLAIMS = CONTROLS.flatMap((c) =>
  c.evidence.filter((e) => e.accountService).map((e) => [c.id, e] as const),
);

describe('claims about account services a stage may take from the account', () => {
  it('are the GuardDuty detector and the AWS Config recorder and delivery channel', () => {
    expect(ACCOUNT_CLAIMS.map(([id, e]) => [id, e.type, e.accountService])).toEqual([
      ['THR-DETECT', 'AWS::GuardDuty::Detector', 'guardDuty'],
      ['MON-AUDIT', 'AWS::Config::ConfigurationRecorder', 'awsConfig'],
      ['MON-AUDIT', 'AWS::Config::DeliveryChannel', 'awsConfig'],
    ]);
  });

  it('are judged on the templates of the shipped stages, which create every service', () => {
    const report = buildReport(SHARED_ASSEMBLY_DIR);
    for (const stage of ['Staging', 'Production']) {
      const template = JSON.parse(
        fs.readFileSync(
          path.join(SHARED_ASSEMBLY_DIR, `Bulwark-${stage}-Security.template.json`),
          'utf8',
        ),
      );
      expect(template.Metadata[ACCOUNT_SERVICES_METADATA]).toEqual({
        guardDuty: 'create',
        securityHub: 'create',
        awsConfig: 'create',
      });
    }
    const results = report.controls.flatMap((c) =>
      c.evidence.filter((e) => ACCOUNT_CLAIMS.some(([, a]) => a.claim === e.claim)),
    );
    expect(results).toHaveLength(ACCOUNT_CLAIMS.length * 2);
    for (const e of results) {
      expect(e.accountService).toBeUndefined();
      expect(e.ok).toBe(true);
      expect(e.matches.length).toBeGreaterThan(0);
    }
  });

  it('fail when a stage that creates the service loses its resource', () => {
    const dir = copyOfSharedAssembly();
    editTemplate(dir, 'Bulwark-Staging-Security', (t) => {
      t.Resources = Object.fromEntries(
        Object.entries<any>(t.Resources).filter(([, r]) => r.Type !== 'AWS::GuardDuty::Detector'),
      );
    });
    expect(evidenceFailures(buildReport(dir))).toEqual([
      'THR-DETECT (Staging): GuardDuty with S3, RDS, Lambda and malware protection: no AWS::GuardDuty::Detector in Security that the claim is about',
    ]);
  });

  it('are still judged when a stage says existing but its template creates the resource', () => {
    const dir = copyOfSharedAssembly();
    editTemplate(dir, 'Bulwark-Staging-Security', (t) => {
      t.Metadata[ACCOUNT_SERVICES_METADATA].guardDuty = 'existing';
      for (const r of Object.values<any>(t.Resources))
        if (r.Type === 'AWS::GuardDuty::Detector') r.Properties.Features = [];
    });
    expect(evidenceFailures(buildReport(dir))).toEqual([
      expect.stringMatching(/^THR-DETECT \(Staging\): GuardDuty .*: does not hold for 1 of 1/),
    ]);
  });

  it('hold without resources, saying so, for a stage that takes all three from the account', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-existing-services-'));
    try {
      const [config] = loadStageConfigs({
        staging: {
          ...shipped.staging,
          guardDuty: 'existing',
          securityHub: 'existing',
          awsConfig: 'existing',
        },
      });
      synthesizeStageInto(config!, outdir);
      const report = buildReport(outdir);
      expect(evidenceFailures(report)).toEqual([]);
      const results = report.controls.flatMap((c) =>
        c.evidence.filter((e) => e.accountService).map((e) => [c.id, e.claim, e.accountService]),
      );
      expect(results).toEqual(
        ACCOUNT_CLAIMS.map(([id, e]) => [id, e.claim, { key: e.accountService, mode: 'existing' }]),
      );
      writeReport(report, path.join(outdir, 'compliance'));
      const markdown = fs.readFileSync(path.join(outdir, 'compliance', 'report.md'), 'utf8');
      expect(markdown).toContain(
        '✓ Staging: GuardDuty with S3, RDS, Lambda and malware protection (taken from the account, guardDuty: existing; checked live)',
      );
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
