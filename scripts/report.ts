/**
 * `npm run report [-- --stage <name>] [--assembly <dir>]`
 *
 * Writes the compliance report (report.json, report.md, report.html, report.sarif) into
 * `<assembly>/compliance/` from an existing synthesized assembly (default `cdk.out`);
 * `npm run synth` writes the same report itself. Exit code 1 when template evidence
 * of a control is missing or the assembly holds unresolved findings of a failed synthesis
 * (run it then to get those findings as SARIF).
 */
import * as path from 'node:path';
import { buildReport, evidenceFailures, writeReport } from '../lib/compliance/report';
import { defineCommand, runMain } from './lib/cli';

/** `npm run report`. */
export const command = defineCommand({
  name: 'report',
  usage: '[--stage <name>] [--assembly <dir>]',
  summary:
    'Writes the compliance report (report.json, report.md, report.html, report.sarif) into <assembly>/compliance/.',
  description: `It reads an existing synthesized assembly; npm run synth writes the same report itself.`,
  options: {
    stage: { type: 'string', value: 'name', description: 'only this stage of cdk.json' },
    assembly: {
      type: 'string',
      value: 'dir',
      default: 'cdk.out',
      description: 'the synthesized cloud assembly',
    },
  },
  exitCodes:
    '0 written, 1 template evidence of a control is missing or the assembly holds unresolved findings of a failed synthesis, 2 bad arguments.',
  run: ({ values }) => writeComplianceReport(values.assembly, values.stage),
});

function writeComplianceReport(assembly: string, stage: string | undefined): number {
  const report = buildReport(assembly, stage);
  const files = writeReport(report, path.join(assembly, 'compliance'));
  const s = report.summary;
  console.log(
    `Compliance report: ${s.enforced} enforced, ${s.partial} partial, ${s.planned} planned, ${s.inherited} inherited; ` +
      `${s.evidenceFailures} evidence failures; ${report.findings.length} unresolved and ${report.acknowledgements.length} acknowledged findings.\n  ${files.join('\n  ')}`,
  );
  for (const line of evidenceFailures(report)) console.error(`MISSING ${line}`);
  for (const f of report.findings) console.error(`FINDING ${f.rule} at ${f.path} (${f.plugin})`);
  return s.evidenceFailures > 0 || report.findings.length > 0 ? 1 : 0;
}

runMain(command, module);
