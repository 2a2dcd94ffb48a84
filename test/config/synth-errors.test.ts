import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectContext } from '../support/synth';

const APP = path.join(__dirname, '..', '..', 'bin', 'app.ts');

/** Where a rejected synthesis may write; removed after the file. */
const OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-rejected-'));
afterAll(() => fs.rmSync(OUTDIR, { recursive: true, force: true }));

/** Runs the CDK app as the CLI would, with the given context. */
function runApp(context: Record<string, unknown>) {
  return spawnSync(process.execPath, ['--import', 'tsx', APP], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: OUTDIR,
    },
  });
}

describe('bin/app.ts', () => {
  it('stops synth on invalid config with one message naming each bad key', () => {
    const context = projectContext();
    const stages = structuredClone(context.stages) as Record<string, any>;
    stages.production.backupRetentionDays = 7;
    stages.staging.network.azCount = 1;
    const r = runApp({ ...context, stages });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid stage configuration in cdk.json (context.stages):');
    expect(r.stderr).toContain('stages.production.backupRetentionDays = 7: must be ≥ 30');
    expect(r.stderr).toContain('stages.staging.network.azCount = 1: must be ≥ 2');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('stops synth on a bad threat-response cap, naming the key', () => {
    const context = projectContext();
    const stages = structuredClone(context.stages) as Record<string, any>;
    stages.staging.threatResponse.maxAddressesPerFinding = 0;
    const r = runApp({ ...context, stages });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'stages.staging.threatResponse.maxAddressesPerFinding = 0: must be ≥ 1',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown stage selection', () => {
    const r = runApp({ ...projectContext(), stage: 'qa' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Unknown stage 'qa'; configured stages: staging, production");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
