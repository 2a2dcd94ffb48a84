/**
 * `npm run deploy -- --stage <name> [--yes] [--skip-preflight] [-- <cdk deploy options>]` (`--help`)
 *
 * Synthesizes the stage, runs the preflight checks against that assembly, cleans up
 * stacks whose first creation failed (once confirmed), then deploys the same assembly
 * with the CDK CLI. Exit code 0 when deployed, 1 when a step failed, 2 when it cannot
 * run (bad arguments, no credentials).
 */
import { runMain } from './lib/cli';
import { deployCommand } from './lib/deploy/run';

/** `npm run deploy`. */
export const command = deployCommand();

runMain(command, module);
