/**
 * `npm run verify -- --stage <name> [--region <r>] [--json]`
 *
 * After `cdk deploy`, checks the live account against what the stage's templates
 * promise (GuardDuty, both web ACLs, the audit trail, the backup vaults, the database,
 * Shield Advanced, the people's user pool, alarms), read-only, with the normal AWS
 * credential chain. Prints a PASS/FAIL/SKIP table (or a JSON array with `--json`). Exit
 * code 0 when every check passes or is skipped, 1 on any failure, 2 when the stage
 * cannot be verified.
 */
import { runMain } from './lib/cli';
import { verifyCommand } from './lib/verify/run';

/** `npm run verify`. */
export const command = verifyCommand();

runMain(command, module);
