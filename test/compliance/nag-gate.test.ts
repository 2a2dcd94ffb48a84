import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ACKNOWLEDGEMENTS, type AcknowledgementName } from '../../lib/compliance/acknowledgements';
import { CDK_INTERNAL_ACKNOWLEDGEMENTS } from '../../lib/compliance/cdk-internal';
import { NAG_PACKS, addNagPacks, createNagPacks } from '../../lib/compliance/nag-packs';
import {
  type ValidationReport,
  readValidationReport,
  validationFindings,
} from '../../lib/compliance/validation-report';
import { loadStageConfigs } from '../../lib/config';
import { stackName, stageParts } from '../../lib/stage-layout';
import { STAGES, assembly } from '../support/assembly';
import type { NagGateResult } from '../support/nag-gate-synth';
import { NAG_GATE_FILE, SHARED_ASSEMBLY_DIR } from '../support/paths';
import { projectContext, synthesize } from '../support/synth';

const findingsOf = (report: ValidationReport | undefined) =>
  validationFindings(report).map((f) => `${f.rule} at ${f.path} (${f.plugin})`);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-nag-'));

describe('nag gate', () => {
  it('leaves no unacknowledged finding in any stack of any stage', () => {
    const report = readValidationReport(SHARED_ASSEMBLY_DIR);
    expect(report).toBeDefined();
    expect(findingsOf(report)).toEqual([]);
  });

  it('synthesizes every stack of every stage', () => {
    const stacks = assembly().stacks.map((s) => s.id);
    const configs = loadStageConfigs(projectContext().stages);
    for (const stage of STAGES) {
      const cfg = configs.find((c) => c.title === stage)!;
      for (const part of stageParts(cfg)) {
        expect(stacks).toContain(stackName(stage, part));
      }
    }
  });

  it('fails a stack with an insecure bucket, naming rule and path', () => {
    const app = new App({ outdir: tmp() });
    const stack = new Stack(app, 'Insecure', {
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    new s3.Bucket(stack, 'Plain');
    addNagPacks(app);
    const result = synthesize(app);
    expect(result.validationError).toMatch(/validation ?failed/i);
    const findings = findingsOf(readValidationReport(result.outdir));
    for (const rule of [
      'AwsSolutions-S1',
      'AwsSolutions-S10',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
    ]) {
      expect(findings).toContainEqual(
        expect.stringContaining(`${rule} at Insecure/Plain/Resource`),
      );
    }
  });

  it('runs every pack of NAG_PACKS, the project pack last', () => {
    expect(createNagPacks().map((p) => p.readPackName)).toEqual([...NAG_PACKS]);
  });
});

describe('acknowledgements', () => {
  // The global setup synthesized every stage with every plugin (Control Tower's
  // included) but no acknowledgement applied: the full list of what the nag packs,
  // the Control Tower rules and CDK itself report, by construct.
  const { acknowledgements, findings } = JSON.parse(
    fs.readFileSync(NAG_GATE_FILE, 'utf8'),
  ) as NagGateResult;

  it('are each on one resource, never on a stack or the app', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.path.split('/').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('cover every finding of every pack and of the Control Tower rules', () => {
    const uncovered = findings.filter(
      (f) =>
        !acknowledgements.some(
          (ack) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
        ),
    );
    expect(uncovered).toEqual([]);
  });

  it('each silence a finding that the packs, the Control Tower rules or CDK really report there', () => {
    const unneeded = acknowledgements.filter(
      (ack) =>
        !findings.some(
          (f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
        ),
    );
    expect(unneeded).toEqual([]);
  });

  it('are all used, and give a specific reason', () => {
    const used = new Set(acknowledgements.map((a) => a.name));
    for (const [name, ack] of Object.entries(ACKNOWLEDGEMENTS)) {
      expect(used).toContain(name as AcknowledgementName);
      expect(ack.reason.length).toBeGreaterThan(80);
    }
  });

  it('are the only findings silenced, besides the listed CDK-internal ones', () => {
    const reasons = new Set<string>([
      ...Object.values(ACKNOWLEDGEMENTS).map((a) => a.reason),
      ...CDK_INTERNAL_ACKNOWLEDGEMENTS.map((a) => a.reason),
    ]);
    let seen = 0;
    for (const stack of assembly().stacks) {
      for (const entries of Object.values(stack.metadata)) {
        for (const entry of entries.filter((e) => e.type === 'aws:cdk:acknowledged-rules')) {
          for (const reason of Object.values(entry.data as unknown as Record<string, string>)) {
            expect(reasons).toContain(reason);
            seen++;
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});
