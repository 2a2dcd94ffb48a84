/**
 * `npm run integ -- --profile <p> --config <file> [--keep]` | `npm run integ -- --update-snapshot` (`--help`)
 *
 * The sandbox integration test in a real account: synthesizes the sandbox stage and its
 * assertions (test/integ/) with the project's CDK CLI, deploys them (the assertions run
 * as the last stack's custom resources and fail the deploy when one fails), then
 * destroys everything unless --keep. With --update-snapshot it only rewrites the
 * offline snapshot CI checks (no account needed).
 */
import { runMain } from './lib/cli';
import { integCommand } from './lib/integ/run';

/** `npm run integ`. */
export const command = integCommand();

runMain(command, module);
