/**
 * `npm run smoke -- --stage <name> [--base-url <url>] [--http-url <url>] [--space <id>] [--json]`
 *
 * Black-box checks of a deployed stage through its public domain, with no AWS access:
 * /health over TLS 1.2+ with a trusted certificate, legacy TLS refused, no plain HTTP,
 * the security headers, no API access without a key, a published entry served from
 * CloudFront's cache (with `SMOKE_READ_KEY`, never printed) and an oversized body
 * refused by the WAF. Prints a PASS/FAIL/SKIP table (or a JSON array with `--json`).
 * Exit code 0 when every check passes or is skipped, 1 on any failure, 2 when the checks
 * cannot run.
 */
import { runMain } from './lib/cli';
import { smokeCommand } from './lib/smoke/run';

/** `npm run smoke`. */
export const command = smokeCommand();

runMain(command, module);
