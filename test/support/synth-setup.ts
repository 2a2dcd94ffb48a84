import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_ASSEMBLY_DIR } from './paths';
import { bulwarkApp, synthesize } from './synth';

/** Runs the nag gate's unacknowledged synthesis in a child process (the second core). */
function startNagGateSynth(): { done: Promise<void>; stop(): void } {
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), path.join(__dirname, 'nag-gate-synth.ts')],
    { stdio: ['ignore', 'ignore', 'pipe'], env: process.env },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`nag gate synthesis failed:\n${stderr}`)),
    );
  });
  done.catch(() => undefined); // awaited below; a setup that fails first stops the child
  return { done, stop: () => child.kill() };
}

/**
 * Before the `synth` project's files run (test/support/jest-projects.js): synthesizes
 * every stage once (test files read the templates from disk, `test/support/assembly.ts`)
 * while a child process runs the nag gate's unacknowledged synthesis.
 */
export default async function synthSetup(): Promise<void> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const nagGate = startNagGateSynth();
  try {
    fs.rmSync(SHARED_ASSEMBLY_DIR, { recursive: true, force: true });
    // The shared templates, judged by the nag packs and CloudFormation validation. The
    // Control Tower rules run in the nag gate's own synthesis, which sees every finding.
    synthesize(bulwarkApp(SHARED_ASSEMBLY_DIR, {}, { controlTower: false }));
    await nagGate.done;
  } catch (err) {
    nagGate.stop();
    throw err;
  }
}
