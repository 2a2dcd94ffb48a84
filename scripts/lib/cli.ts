/**
 * One way to write a command: a {@link CommandSpec} (options, arguments, help text)
 * parsed with `node:util` `parseArgs` in strict mode, and a handler that returns an
 * exit code or a {@link CliError}. {@link invoke} runs a command in-process (tests call
 * it); {@link runMain} runs it as a process and is the only place that ends one.
 *
 * Every command answers `--help`/`-h` on stdout with exit 0, and refuses an unknown
 * option, an option without its value, a missing required option or a wrong number of
 * arguments with exit 2 and one line on stderr (`<name>: <problem> (see --help)`).
 */
import { parseArgs } from 'node:util';

/** The command did what it was asked (or, for checks, every check passed). */
export const EXIT_OK = 0;
/** The operation failed (or a check failed). */
export const EXIT_FAILED = 1;
/** Bad usage, or the command cannot run (no credentials, no assembly, ...). */
export const EXIT_USAGE = 2;

/**
 * An error that ends a command with `exitCode`, printed as `message` without a stack
 * trace. Usage errors (`usage`) are printed as `<name>: <message> (see --help)`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
    readonly usage = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command line that is wrong: exit 2, one line naming the problem. */
export const usageError = (problem: string) => new CliError(problem, EXIT_USAGE, true);
/** The command cannot run (no credentials, missing input): exit 2 with `message`. */
export const cannotRun = (message: string) => new CliError(message, EXIT_USAGE);
/** The operation failed: exit 1 with `message`. */
export const failed = (message: string) => new CliError(message, EXIT_FAILED);

interface OptionBase {
  /** One line for `--help`. */
  readonly description: string;
  /** A one-letter alias (`-x`). */
  readonly short?: string;
}

/** `--name <value>`. */
export interface StringOption extends OptionBase {
  readonly type: 'string';
  /** The value's name in the help (`--stage <name>`). @default 'value' */
  readonly value?: string;
  readonly default?: string;
  /** An environment variable used when the option is not given. */
  readonly env?: string;
  readonly required?: boolean;
}

/** `--name N`, a positive integer. */
export interface IntegerOption extends OptionBase {
  readonly type: 'integer';
  /** @default 'N' */
  readonly value?: string;
  readonly default?: number;
  readonly required?: boolean;
}

/** `--name`, a flag. */
export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
}

export type OptionSpec = StringOption | IntegerOption | BooleanOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Given = { readonly required: true } | { readonly default: unknown };
type ValueOf<S extends OptionSpec> = S extends BooleanOption
  ? boolean
  : S extends IntegerOption
    ? S extends Given
      ? number
      : number | undefined
    : S extends Given
      ? string
      : string | undefined;

/** The parsed options, typed from their specs. */
export type Values<O extends OptionSpecs> = { readonly [K in keyof O]: ValueOf<O[K]> };

/** A positional argument. */
export interface PositionalSpec {
  /** Shown as `<name>`. */
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

/** What a command is called with. */
export interface Args<O extends OptionSpecs> {
  readonly values: Values<O>;
  readonly positionals: readonly string[];
  /** What came after `--` (only for commands with `passthrough`). */
  readonly rest: readonly string[];
}

/** A command's name, help and the command line it accepts. */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** The npm script, e.g. `threat:replay`. */
  readonly name: string;
  /** The argument synopsis after `npm run <name> --`; several forms are alternatives. */
  readonly usage: string | readonly string[];
  /** One sentence for `--help`. */
  readonly summary: string;
  /** More paragraphs for `--help`. */
  readonly description?: string;
  readonly options: O;
  readonly positionals?: readonly PositionalSpec[];
  /** Where the arguments after `--` go (e.g. `cdk deploy`); without it they are positionals. */
  readonly passthrough?: string;
  /** The exit codes, after `Exit codes: ` in the help. */
  readonly exitCodes: string;
}

/** Where a command writes and what environment it reads. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** What a handler ends with: an exit code, or an error as a value. */
export type Outcome = number | CliError;

/** A command: its spec and its handler. */
export interface Command<O extends OptionSpecs = OptionSpecs> extends CommandSpec<O> {
  run(args: Args<O>, io: Io): Outcome | Promise<Outcome>;
}

/** A command spec, its option types kept literal. */
export function defineSpec<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** A command, its option types kept literal (so `args.values` is typed). */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

const usageForms = (spec: CommandSpec<OptionSpecs>) =>
  (typeof spec.usage === 'string' ? [spec.usage] : spec.usage).map(
    (u) => `npm run ${spec.name}${u ? ` -- ${u}` : ''}`,
  );

/** `usage: npm run <name> -- …` (alternatives joined by ` | `). */
export const usageLine = (spec: CommandSpec<OptionSpecs>) =>
  `usage: ${usageForms(spec).join(' | ')}`;

function optionLabel(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
  if (o.type === 'boolean') return flag;
  return `${flag} <${o.value ?? (o.type === 'integer' ? 'N' : 'value')}>`;
}

function optionNote(o: OptionSpec): string {
  if (o.type === 'boolean') return '';
  const notes = [
    o.required ? 'required' : undefined,
    o.type === 'string' && o.env ? `default: $${o.env}` : undefined,
    o.default !== undefined ? `default: ${o.default}` : undefined,
  ].filter((n) => n !== undefined);
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

/** The text of `--help`. */
export function helpText(spec: CommandSpec<OptionSpecs>): string {
  const rows: Array<[string, string]> = [
    ...(spec.positionals ?? []).map((p): [string, string] => [
      `<${p.name}>`,
      `${p.description}${p.optional ? ' (optional)' : ''}`,
    ]),
    ...Object.entries(spec.options).map(([name, o]): [string, string] => [
      optionLabel(name, o),
      `${o.description}${optionNote(o)}`,
    ]),
    ['-h, --help', 'print this help'],
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = rows.map(([l, d]) => `  ${l.padEnd(width)}${d}`);
  if (spec.passthrough) lines.push(`  Arguments after -- go to ${spec.passthrough} unchanged.`);
  return [
    usageLine(spec),
    '',
    spec.summary,
    ...(spec.description ? ['', spec.description] : []),
    '',
    ...lines,
    '',
    `Exit codes: ${spec.exitCodes}`,
  ].join('\n');
}

/** One line naming what `parseArgs` refused. */
function parseProblem(err: unknown): string {
  const { code, message = String(err) } = err as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const long = /--[^\s,<>']+/.exec(quoted)?.[0] ?? quoted;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message)
        ? `option ${long} takes no value`
        : `option ${long} needs a value`;
    default:
      return message.split('\n')[0];
  }
}

/** The result of reading a command line. */
export type Parsed<O extends OptionSpecs> =
  | { readonly kind: 'help' }
  | { readonly kind: 'args'; readonly args: Args<O> }
  | { readonly kind: 'error'; readonly error: CliError };

/** Whether the command line asks for help (before any `--`), whatever else it holds. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Reads `argv` (without node and the script) against `spec`: help, the typed arguments,
 * or the usage error. Options missing from the command line fall back to their
 * environment variable (`env`), then to their default.
 */
export function parseCommandLine<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Parsed<O> {
  if (asksForHelp(argv)) return { kind: 'help' };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type === 'boolean' ? 'boolean' : 'string' };
    if (o.short) options[name].short = o.short;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (err) {
    return { kind: 'error', error: usageError(parseProblem(err)) };
  }
  const error = (problem: string) => ({ kind: 'error' as const, error: usageError(problem) });

  let positionals: string[] = parsed.positionals;
  let rest: string[] = [];
  const terminator = parsed.tokens?.find((t) => t.kind === 'option-terminator');
  if (spec.passthrough && terminator) {
    rest = argv.slice(terminator.index + 1);
    positionals = positionals.slice(0, positionals.length - rest.length);
  }
  const wanted = spec.positionals ?? [];
  if (positionals.length > wanted.length) {
    const extra = positionals[wanted.length];
    return error(
      spec.passthrough
        ? `unexpected argument ${extra}: ${spec.passthrough} options go after --`
        : `unexpected argument ${extra}`,
    );
  }
  const missing = wanted.slice(positionals.length).find((p) => !p.optional);
  if (missing) return error(`missing argument <${missing.name}>`);

  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const given = parsed.values[name];
    if (o.type === 'boolean') {
      values[name] = given === true;
      continue;
    }
    if (given === '') return error(`option --${name} needs a value`);
    const raw =
      (given as string | undefined) ??
      (o.type === 'string' && o.env ? env[o.env] || undefined : undefined);
    if (raw === undefined) {
      if (o.required) {
        return error(
          `--${name}${o.type === 'string' && o.env ? ` (or ${o.env})` : ''} is required`,
        );
      }
      values[name] = o.default;
    } else if (o.type === 'integer') {
      if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) {
        return error(`option --${name} must be a positive integer, not ${JSON.stringify(raw)}`);
      }
      values[name] = Number(raw);
    } else {
      values[name] = raw;
    }
  }
  return { kind: 'args', args: { values: values as Values<O>, positionals, rest } };
}

/** Writes `error` (usage errors as one line naming the command) and returns its exit code. */
export function reportError(spec: CommandSpec<OptionSpecs>, error: CliError, io: Io): number {
  io.stderr(error.usage ? `${spec.name}: ${error.message} (see --help)` : error.message);
  return error.exitCode;
}

/** The streams and environment of this process, with any of them replaced. */
export function processIo(io: Partial<Io> = {}): Io {
  return {
    stdout: io.stdout ?? ((text) => console.log(text)),
    stderr: io.stderr ?? ((text) => console.error(text)),
    env: io.env ?? process.env,
  };
}

/**
 * Runs `command` in-process and returns its exit code: the help, a usage error, or what
 * its handler returns. A {@link CliError} the handler returns or throws ends it with that
 * error's code; any other error is an operation that failed (exit 1).
 */
export async function invoke<O extends OptionSpecs>(
  command: Command<O>,
  argv: readonly string[],
  io: Partial<Io> = {},
): Promise<number> {
  const out = processIo(io);
  const parsed = parseCommandLine(command, argv, out.env);
  if (parsed.kind === 'help') {
    out.stdout(helpText(command));
    return EXIT_OK;
  }
  if (parsed.kind === 'error') return reportError(command, parsed.error, out);
  try {
    const outcome = await command.run(parsed.args, out);
    return outcome instanceof CliError ? reportError(command, outcome, out) : outcome;
  } catch (err) {
    if (err instanceof CliError) return reportError(command, err, out);
    out.stderr(
      `${command.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return EXIT_FAILED;
  }
}

/**
 * Runs `command` with this process's arguments when `mod` is the process's main module,
 * then ends the process with the command's exit code: the one exit point of every
 * script. Importing the script (tests) runs nothing.
 */
export function runMain<O extends OptionSpecs>(command: Command<O>, mod: NodeModule): void {
  if (require.main !== mod) return;
  void invoke(command, process.argv.slice(2)).then((code) => process.exit(code));
}
