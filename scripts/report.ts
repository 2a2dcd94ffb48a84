/**
 * `npm run report [-- --assembly <dir>] [--stage <name>] [--baseline <dir>]`
 *
 * Writes the compliance report (report.json, report.md, report.html, report.sarif) into
 * `<assembly>/compliance/` from an existing synthesized assembly (default `cdk.out`);
 * `npm run synth` writes the same report itself. With `--baseline`, a second assembly
 * (the target branch's synthesis) is judged by the same catalogue and the posture diff
 * (posture-diff.json, posture-diff.md) is written beside the report, its headline printed.
 * Exit code 1 when template evidence of a control is missing or the assembly holds
 * unresolved findings of a failed synthesis (run it then to get those findings as SARIF);
 * 2 when an assembly cannot be read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  POSTURE_DIFF_FILES,
  postureDiff,
  postureHeadline,
  writePostureDiff,
} from '../lib/compliance/posture-diff';
import { buildReport, evidenceFailures, writeReport } from '../lib/compliance/report';
import { cannotRun, defineCommand, runMain, type Outcome } from './lib/cli';
import { assemblyProblem } from './lib/report-assembly';

/** `npm run report`. */
export const command = defineCommand({
  name: 'report',
  usage: '[--assembly <dir>] [--stage <name>] [--baseline <dir>]',
  summary:
    'Writes the compliance report (report.json, report.md, report.html, report.sarif) into <assembly>/compliance/.',
  description: `It reads any synthesized cloud assembly; npm run synth writes the same report itself.
With --baseline (the target branch's synthesis), both assemblies are judged by the current
catalogue and the posture diff is written beside the report (posture-diff.json,
posture-diff.md): controls whose evidence, resources, acknowledgements or findings changed,
weakening apart from strengthening. Its headline is printed.`,
  options: {
    assembly: {
      type: 'string',
      value: 'dir',
      default: 'cdk.out',
      description: 'the synthesized cloud assembly to report on',
    },
    stage: { type: 'string', value: 'name', description: 'only this stage (in both assemblies)' },
    baseline: {
      type: 'string',
      value: 'dir',
      description: 'a cloud assembly to compare with: writes the posture diff',
    },
  },
  exitCodes:
    '0 written, 1 template evidence of a control is missing or the assembly holds unresolved findings of a failed synthesis (of --assembly; the baseline may fail), 2 bad arguments or an assembly that cannot be read.',
  run: ({ values }) => writeComplianceReport(values.assembly, values.stage, values.baseline),
});

function writeComplianceReport(
  assembly: string,
  stage: string | undefined,
  baseline: string | undefined,
): Outcome {
  const problem =
    assemblyProblem('assembly', assembly, stage) ??
    (baseline === undefined ? undefined : assemblyProblem('baseline', baseline, stage));
  if (problem) return cannotRun(`report: ${problem}`);
  const report = buildReport(assembly, stage);
  const outDir = path.join(assembly, 'compliance');
  const files = writeReport(report, outDir);
  const s = report.summary;
  console.log(
    `Compliance report: ${s.enforced} enforced, ${s.partial} partial, ${s.planned} planned, ${s.inherited} inherited; ` +
      `${s.evidenceFailures} evidence failures; ${report.findings.length} unresolved and ${report.acknowledgements.length} acknowledged findings.\n  ${files.join('\n  ')}`,
  );
  if (baseline === undefined) {
    // A diff left by an earlier run would no longer describe this report.
    for (const name of POSTURE_DIFF_FILES) fs.rmSync(path.join(outDir, name), { force: true });
  } else {
    const diff = postureDiff(buildReport(baseline, stage), report);
    const written = writePostureDiff(diff, outDir);
    console.log(
      `Posture diff against ${baseline}: ${postureHeadline(diff)}\n  ${written.join('\n  ')}`,
    );
  }
  for (const line of evidenceFailures(report)) console.error(`MISSING ${line}`);
  for (const f of report.findings) console.error(`FINDING ${f.rule} at ${f.path} (${f.plugin})`);
  return s.evidenceFailures > 0 || report.findings.length > 0 ? 1 : 0;
}

runMain(command, module);
