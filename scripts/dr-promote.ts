/**
 * `npm run dr:promote -- --stage <name> [--plan] [--confirm <replica id>]`
 *
 * Regional failover of the database (DR-REPL): prints the plan for promoting the
 * stage's cross-region read replica in its DR region (the replica, the primary's
 * status, the replica lag and each step), then, once confirmed, promotes it, waits
 * until it is a standalone primary and turns on Multi-AZ and deletion protection.
 * `--plan` only reads. Exit code 0 promoted (or, with --plan, promotable), 1 it cannot
 * be promoted or the promotion failed, 2 it cannot run or was not confirmed.
 */
import { runMain } from './lib/cli';
import { drPromoteCommand } from './lib/dr-promote/run';

/** `npm run dr:promote`. */
export const command = drPromoteCommand();

runMain(command, module);
