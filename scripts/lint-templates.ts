/**
 * `npm run lint:templates -- [--assembly <dir>] [--json]` (`--help` for the options)
 *
 * Lints every stack template of the synthesized cloud assembly (default `cdk.out`) with
 * cfn-lint, each for its own region. Error-level findings fail unless the reviewed
 * allow-list `.github/cfn-lint-allowed.json` accepts them as resource-schema lag, and an
 * entry there that matches no finding fails too, so the list only shrinks. Exit code 0
 * when clean, 1 on findings, 2 when the lint cannot run.
 */
import { runMain } from './lib/cli';
import { lintTemplatesCommand } from './lib/template-lint/run';

/** `npm run lint:templates`. */
export const command = lintTemplatesCommand();

runMain(command, module);
