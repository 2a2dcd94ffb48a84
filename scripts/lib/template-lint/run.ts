import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ALLOW_LIST_FILE, judge, readAllowList } from './allow-list';
import { groupByRegion, readAssembly, readResourceTypes } from './assembly';
import { CFN_LINT, cfnLintVersion, mapLimit, runCfnLint } from './cfn-lint';
import { type TemplateInfo, placeFinding } from './findings';
import { EXIT_CANNOT_RUN, EXIT_CLEAN, exitCode, formatJson, formatText, summary } from './report';
import { type Finding, type Result, fail, ok } from './types';

/** Usage of `npm run lint:templates`. */
export const USAGE = `usage: npm run lint:templates -- [--assembly <dir>] [--json]

Lints every stack template of a synthesized cloud assembly with cfn-lint, each for its
own region. Error-level findings fail (exit 1) unless .github/cfn-lint-allowed.json
accepts them as resource-schema lag; an entry there that matches no finding fails too.
Warnings are counted, never failing. Exit 2 when the lint cannot run.

  --assembly <dir>  the cloud assembly to lint (default: cdk.out, from npm run synth)
  --json            print every finding, warnings included, as JSON
  -h, --help        print this help`;

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
  readonly help: boolean;
}

/** One line naming what is wrong with the command line, from a `parseArgs` error. */
function argProblem(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const named = /'([^']+)'/.exec(message ?? '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${named}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${named}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message ?? '')
        ? `option ${named} takes no value`
        : `option ${named.replace(/ <value>$/, '')} needs a value`;
    default:
      return (message ?? String(err)).split('\n')[0];
  }
}

/** The command line, or one line naming what is wrong with it. */
export function parseCommandLine(argv: readonly string[]): Result<Args> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        assembly: { type: 'string', default: 'cdk.out' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.assembly === '') return fail('option --assembly needs a value');
    return ok({ assembly: values.assembly, json: values.json, help: values.help });
  } catch (err) {
    return fail(argProblem(err));
  }
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
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? ((text: string) => console.log(text));
  const stderr = options.stderr ?? ((text: string) => console.error(text));
  const cannotRun = (problem: string) => {
    stderr(`lint:templates cannot run: ${problem}`);
    return EXIT_CANNOT_RUN;
  };

  const args = parseCommandLine(argv);
  if (!args.ok) {
    stderr(`lint:templates: ${args.problem}\n${USAGE}`);
    return EXIT_CANNOT_RUN;
  }
  if (args.value.help) {
    stdout(USAGE);
    return EXIT_CLEAN;
  }
  const allowListFile = options.allowListFile ?? ALLOW_LIST_FILE;
  const entries = readAllowList(allowListFile);
  if (!entries.ok) return cannotRun(entries.problem);

  const linted = await lint(args.value, options, stderr);
  if (!linted.ok) return cannotRun(linted.problem);

  const judgement = judge(linted.value.findings, entries.value);
  const allowListName = path.relative(process.cwd(), allowListFile) || allowListFile;
  stdout(
    args.value.json
      ? formatJson(judgement, linted.value.version)
      : formatText(judgement, allowListName),
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
