/**
 * `npm run preflight -- --stage <name> [--assembly <dir>] [--json]` (`--help` for the options)
 *
 * Read-only checks of the stage's AWS account before a deploy: credentials of the
 * stage's account, CDK bootstrap in every region, Lambda concurrency, Shield Advanced,
 * the account singletons, the hosted zone, the database engine, names that must be
 * free, the SAML metadata and the AWS Control Tower proactive controls. Each result
 * is PASS, FAIL with its fix, or SKIP. Exit code 0, 1 on any FAIL, 2 when it cannot run.
 */
import { runMain } from './lib/cli';
import { preflightCommand } from './lib/preflight/run';

/** `npm run preflight`. */
export const command = preflightCommand();

runMain(command, module);
