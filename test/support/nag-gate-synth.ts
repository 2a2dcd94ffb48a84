/**
 * The nag gate's own synthesis, run by the global setup in a child process, in
 * parallel with the shared one: every stage with every plugin (the Control Tower
 * rules included) and no acknowledgement applied, so that it sees every finding.
 * Writes the acknowledgements the app asked for and every finding to
 * {@link NAG_GATE_FILE}, which `test/compliance/nag-gate.test.ts` judges.
 *
 * Usage: `tsx test/support/nag-gate-synth.ts` (writes under `cdk.out.test-nag/`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type AppliedAcknowledgement,
  recordAcknowledgements,
} from '../../lib/compliance/acknowledgements';
import { CONTROL_TOWER_PLUGIN } from '../../lib/compliance/nag-packs';
import { readValidationReport, validationFindings } from '../../lib/compliance/validation-report';
import { NAG_GATE_DIR, NAG_GATE_FILE } from './paths';
import { bulwarkApp, synthesize } from './synth';

/** A finding of a plugin, by rule id and construct path. */
export interface Finding {
  readonly id: string;
  readonly path: string;
}

/** What the nag gate's synthesis saw. */
export interface NagGateResult {
  readonly acknowledgements: AppliedAcknowledgement[];
  readonly findings: Finding[];
}

/** Synthesizes the app unacknowledged into `outdir` and lists findings and acknowledgements. */
export function nagGateSynth(outdir: string): NagGateResult {
  const { result: app, acknowledgements } = recordAcknowledgements(() => bulwarkApp(outdir));
  synthesize(app);
  const report = readValidationReport(outdir);
  if (!report) throw new Error(`No validation report in ${outdir}`);
  const findings = validationFindings(report).map((f) => ({
    id: f.plugin === CONTROL_TOWER_PLUGIN ? `${f.plugin}::${f.rule}` : f.rule,
    path: f.path,
  }));
  return { acknowledgements, findings };
}

if (require.main === module) {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  fs.rmSync(NAG_GATE_DIR, { recursive: true, force: true });
  const result = nagGateSynth(path.join(NAG_GATE_DIR, 'assembly'));
  fs.writeFileSync(NAG_GATE_FILE, JSON.stringify(result));
}
