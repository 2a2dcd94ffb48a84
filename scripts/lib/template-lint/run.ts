import * as path from 'node:path';
import { type CliError, cannotRun, defineCommand, defineSpec, invoke } from '../cli';
import { ALLOW_LIST_FILE, judge, readAllowList } from './allow-list';
import { groupByRegion, readAssembly, readResourceTypes } from './assembly';
import { mapLimit } from '../map-limit';
import { CFN_LINT, cfnLintVersion, runCfnLint } from './cfn-lint';
import { type TemplateInfo, placeFinding } from './findings';
import { exitCode, formatJson, formatText, summary } from './report';
import { type Finding, type Result, fail, ok } from './types';

/** The command line of `npm run lint:templates`. */
export const LINT_TEMPLATES_CLI = defineSpec({
  name: 'lint:templates',
  usage: '[--assembly <dir>] [--json]',
  summary:
    'Lints every stack template of a synthesized cloud assembly with cfn-lint, each for its own region.',
  description: `Error-level findings fail (exit 1) unless .github/cfn-lint-allowed.json accepts them
as resource-schema lag; an entry there that matches no finding fails too. Warnings are
counted, never failing.`,
  options: {
    assembly: {
      type: 'string',
      value: 'dir',
      default: 'cdk.out',
      description: 'the cloud assembly to lint (cdk.out is written by npm run synth)',
    },
    json: { type: 'boolean', description: 'print every finding, warnings included, as JSON' },
  },
  exitCodes: `0 clean, 1 an error-level finding remains or an allow-list entry is stale, 2 the
lint cannot run (bad arguments, no assembly, no cfn-lint, bad allow-list).`,
});

/** cfn-lint is CPU bound: at most this many regions are linted at once. */
const PARALLEL_REGIONS = 2;

/** Where {@link run} finds its tools and writes its report. */
export interface RunOptions {
  /** @default - the project's .github/cfn-lint-allowed.json */
  readonly allowListFile?: string;
  /** @default 'cfn-lint' on PATH */
  readonly cfnLint?: string;
  /** @default console.log */
  readonly stdout?: (text: string) => void;
  /** @default console.error */
  readonly stderr?: (text: string) => void;
}

interface Args {
  readonly assembly: string;
  readonly json: boolean;
}

/** Lints every template of the assembly and sorts the findings out with the allow-list. */
async function lint(
  args: Args,
  options: RunOptions,
  stderr: (text: string) => void,
): Promise<
  Result<{
    findings: Finding[];
    templates: number;
    regions: number;
    version: string;
  }>
> {
  const stacks = readAssembly(args.assembly);
  if (!stacks.ok) return stacks;
  const command = options.cfnLint ?? CFN_LINT;
  const version = await cfnLintVersion(command);
  if (!version.ok) return version;

  const templates = new Map<string, TemplateInfo>();
  for (const s of stacks.value) {
    const resourceTypes = readResourceTypes(s.templateFile);
    if (!resourceTypes.ok) return resourceTypes;
    templates.set(s.templateFile, {
      stack: s.stack,
      region: s.region,
      resourceTypes: resourceTypes.value,
    });
  }

  const groups = [...groupByRegion(stacks.value)];
  stderr(
    `cfn-lint ${version.value}: linting ${stacks.value.length} template(s) of ${args.assembly} ` +
      `for ${groups.map(([r, s]) => `${r} (${s.length})`).join(', ')}`,
  );
  const runs = await mapLimit(groups, PARALLEL_REGIONS, async ([region, group]) => ({
    region,
    result: await runCfnLint(
      region,
      group.map((s) => s.templateFile),
      command,
    ),
  }));
  const problems = [...new Set(runs.flatMap((r) => (r.result.ok ? [] : [r.result.problem])))];
  if (problems.length > 0) return fail(problems.join('\n'));
  const findings = runs.flatMap((r) =>
    r.result.ok ? r.result.value.map((f) => placeFinding(f, r.region, templates)) : [],
  );
  return ok({
    findings,
    templates: stacks.value.length,
    regions: groups.length,
    version: version.value,
  });
}

/**
 * `npm run lint:templates -- [--assembly <dir>] [--json]`. Returns the exit code: 0 when no
 * error-level finding remains after the allow-list, 1 when one does or an allow-list entry
 * is stale, 2 when the lint cannot run (usage, no assembly, no cfn-lint, bad allow-list).
 */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  return invoke(lintTemplatesCommand(options), argv, options);
}

/** `npm run lint:templates`, with its tools and output as `options` say. */
export function lintTemplatesCommand(options: RunOptions = {}) {
  return defineCommand({
    ...LINT_TEMPLATES_CLI,
    run: ({ values }, { stdout, stderr }) => lintTemplates(values, options, stdout, stderr),
  });
}

async function lintTemplates(
  args: Args,
  options: RunOptions,
  stdout: (text: string) => void,
  stderr: (text: string) => void,
): Promise<number | CliError> {
  const cannotRunBecause = (problem: string) => cannotRun(`lint:templates cannot run: ${problem}`);
  const allowListFile = options.allowListFile ?? ALLOW_LIST_FILE;
  const entries = readAllowList(allowListFile);
  if (!entries.ok) return cannotRunBecause(entries.problem);

  const linted = await lint(args, options, stderr);
  if (!linted.ok) return cannotRunBecause(linted.problem);

  const judgement = judge(linted.value.findings, entries.value);
  const allowListName = path.relative(process.cwd(), allowListFile) || allowListFile;
  stdout(
    args.json ? formatJson(judgement, linted.value.version) : formatText(judgement, allowListName),
  );
  stderr(
    summary(judgement, {
      templates: linted.value.templates,
      regions: linted.value.regions,
      cfnLintVersion: linted.value.version,
    }),
  );
  return exitCode(judgement);
}
