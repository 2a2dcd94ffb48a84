import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROLS } from '../../lib/compliance/controls';
import { buildReport, evidenceFailures, writeReport } from '../../lib/compliance/report';
import { STAGE_OPTIONS, STAGE_OPTIONS_METADATA } from '../../lib/stage-layout';
import { copyOfSharedAssembly, editTemplate } from '../support/assembly-copy';
import { STAGES, template } from '../support/assembly';
import { loadStageConfigs } from '../../lib/config';
import { projectContext } from '../support/synth';

/**
 * Claims about resources only some stages choose to have (the cross-region replica, the
 * Fargate backup runner): the Data stack records each stage's choice, and the report
 * skips a claim only where the stage records another choice and has none of the resources.
 */
const configs = loadStageConfigs(projectContext().stages);
const OPTION_CLAIMS = CONTROLS.flatMap((c) =>
  c.evidence.filter((e) => e.option).map((e) => [c.id, e] as const),
);

describe('stage options', () => {
  it('are the claims of the replica and the Fargate runner, under DR-REPL and BKP-DAILY', () => {
    expect(OPTION_CLAIMS.map(([id, e]) => [id, e.type, e.option])).toEqual([
      ['BKP-DAILY', 'AWS::ECS::TaskDefinition', { key: 'backup.runner', value: 'fargate' }],
      ['DR-REPL', 'AWS::RDS::DBInstance', { key: 'database.crossRegionReplica', value: true }],
      ['DR-REPL', 'AWS::CloudWatch::Alarm', { key: 'database.crossRegionReplica', value: true }],
    ]);
  });

  it.each(STAGES)("are recorded in %s's Data stack as its config says", (stage) => {
    const cfg = configs.find((c) => c.title === stage)!;
    const recorded = template(stage, 'Data').toJSON().Metadata[STAGE_OPTIONS_METADATA];
    expect(recorded).toEqual({
      'database.crossRegionReplica': cfg.database.crossRegionReplica,
      'backup.runner': cfg.backup.runner,
    });
    expect(Object.keys(recorded).sort()).toEqual([...STAGE_OPTIONS].sort());
  });

  it('skip, saying so, the claims a stage does not choose; judge the others', () => {
    const report = buildReport(copyOfSharedAssembly());
    expect(evidenceFailures(report)).toEqual([]);
    const notChosen = report.controls.flatMap((c) =>
      c.evidence.filter((e) => e.notChosen).map((e) => [c.id, e.stage, e.notChosen]),
    );
    expect(notChosen).toEqual([
      ['BKP-DAILY', 'Staging', { key: 'backup.runner', value: 'lambda' }],
      ['DR-REPL', 'Staging', { key: 'database.crossRegionReplica', value: false }],
      ['DR-REPL', 'Staging', { key: 'database.crossRegionReplica', value: false }],
    ]);
    const dir = copyOfSharedAssembly();
    writeReport(report, path.join(dir, 'compliance'));
    const markdown = fs.readFileSync(path.join(dir, 'compliance', 'report.md'), 'utf8');
    expect(markdown).toContain(
      '(not chosen: database.crossRegionReplica: false; none of these resources)',
    );
    const html = fs.readFileSync(path.join(dir, 'compliance', 'report.html'), 'utf8');
    expect(html).toContain('not chosen by this stage');
  });

  it('fail where a stage chooses the replica and its stack lost it', () => {
    const dir = copyOfSharedAssembly();
    editTemplate(dir, 'Bulwark-Production-Replica', (t) => {
      t.Resources = Object.fromEntries(
        Object.entries<any>(t.Resources).filter(([, r]) => r.Type !== 'AWS::RDS::DBInstance'),
      );
    });
    expect(evidenceFailures(buildReport(dir))).toEqual([
      expect.stringMatching(
        /^DR-REPL \(Production\): the recovery region holds a read replica .*: no AWS::RDS::DBInstance in Replica that the claim is about$/,
      ),
    ]);
  });

  it('are judged where the choice is not recorded', () => {
    const dir = copyOfSharedAssembly();
    editTemplate(dir, 'Bulwark-Staging-Data', (t) => {
      t.Metadata = Object.fromEntries(
        Object.entries(t.Metadata).filter(([key]) => key !== STAGE_OPTIONS_METADATA),
      );
    });
    expect(evidenceFailures(buildReport(dir))).toHaveLength(3);
  });

  it('are judged where a stage records another choice but still has the resources', () => {
    const dir = copyOfSharedAssembly();
    editTemplate(dir, 'Bulwark-Production-Data', (t) => {
      t.Metadata[STAGE_OPTIONS_METADATA]['backup.runner'] = 'lambda';
    });
    editTemplate(dir, 'Bulwark-Production-App', (t) => {
      for (const r of Object.values<any>(t.Resources))
        if (r.Type === 'AWS::ECS::TaskDefinition')
          r.Properties.ContainerDefinitions[0].ReadonlyRootFilesystem = false;
    });
    expect(evidenceFailures(buildReport(dir))).toEqual([
      expect.stringMatching(
        /^BKP-DAILY \(Production\): the Fargate export runs .*does not hold for 1 of 1/,
      ),
    ]);
  });
});
