import * as fs from 'node:fs';
import { SHARED_ASSEMBLY_DIR } from './paths';
import { bulwarkApp, synthesize } from './synth';

/**
 * Synthesizes every stage once, before any test file runs; test files read the
 * templates from disk (`test/support/assembly.ts`) instead of synthesizing again.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  fs.rmSync(SHARED_ASSEMBLY_DIR, { recursive: true, force: true });
  synthesize(bulwarkApp(SHARED_ASSEMBLY_DIR));
}
