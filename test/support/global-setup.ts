import * as fs from 'node:fs';
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../../scripts/lib/throwaway-postgres';
import { SHARED_ASSEMBLY_DIR } from './paths';
import { bulwarkApp, synthesize } from './synth';

declare global {
  var __BULWARK_POSTGRES__: ThrowawayPostgres | undefined;
}

/**
 * Before any test file runs: synthesizes every stage once (test files read the
 * templates from disk, `test/support/assembly.ts`), and starts one throwaway
 * PostgreSQL cluster in which each test file creates its own database.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const postgres = await startThrowawayPostgres();
  try {
    fs.rmSync(SHARED_ASSEMBLY_DIR, { recursive: true, force: true });
    // The shared templates, judged by the nag packs and CloudFormation validation. The
    // Control Tower rules run in the nag gate's own synthesis, which sees every finding.
    synthesize(bulwarkApp(SHARED_ASSEMBLY_DIR, {}, { controlTower: false }));
  } catch (err) {
    postgres.stop();
    throw err;
  }
  globalThis.__BULWARK_POSTGRES__ = postgres;
  process.env.BULWARK_TEST_POSTGRES_URL = postgres.url;
}
