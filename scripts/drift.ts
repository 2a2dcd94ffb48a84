/**
 * `npm run drift -- --stage <name> [--region <r>] [--json]`
 *
 * Runs CloudFormation drift detection on every stack of the stage, each in its own
 * region, with the normal AWS credential chain, and lists each resource modified or
 * deleted outside a deployment with its differing properties. Prints a PASS/FAIL table
 * and the drifted resources (or `{ results, drifts }` as JSON with `--json`). Exit code
 * 0 when every stack is in sync, 1 on any drift or failed detection, 2 when the stage
 * cannot be checked.
 */
import { runMain } from './lib/cli';
import { driftCommand } from './lib/drift/run';

/** `npm run drift`. */
export const command = driftCommand();

runMain(command, module);
