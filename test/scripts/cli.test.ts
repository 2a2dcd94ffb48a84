import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CliError,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  type Io,
  cannotRun,
  defineCommand,
  failed,
  helpText,
  invoke,
  parseCommandLine,
  usageError,
} from '../../scripts/lib/cli';

const ROOT = path.join(__dirname, '..', '..');

/** A command that records what it was called with. */
function probe(
  outcome: (args: unknown) => number | CliError | Promise<number | CliError> = () => 0,
) {
  const calls: unknown[] = [];
  const command = defineCommand({
    name: 'probe:run',
    usage: '<file> [<more>] --target <name> [--count N] [--dry-run] [--db <url>]',
    summary: 'Probes the toolkit.',
    description: 'A longer paragraph about probing.',
    positionals: [
      { name: 'file', description: 'the input' },
      { name: 'more', description: 'another input', optional: true },
    ],
    options: {
      target: { type: 'string', value: 'name', required: true, description: 'where to go' },
      count: { type: 'integer', default: 3, description: 'how often' },
      'dry-run': { type: 'boolean', short: 'n', description: 'change nothing' },
      db: { type: 'string', value: 'url', env: 'PROBE_DB', description: 'the database' },
      mode: { type: 'string', default: 'fast', description: 'how' },
    },
    exitCodes: '0 fine, 1 failed, 2 usage.',
    run: (args) => {
      calls.push(args);
      return outcome(args);
    },
  });
  return { command, calls };
}

async function call(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; outcome?: Parameters<typeof probe>[0] } = {},
) {
  const { command, calls } = probe(options.outcome);
  const out: string[] = [];
  const err: string[] = [];
  const io: Partial<Io> = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: options.env ?? {},
  };
  const code = await invoke(command, argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), calls };
}

const ok = ['in.json', '--target', 'x'];

describe('the CLI toolkit', () => {
  describe('--help', () => {
    it.each([[['--help']], [['-h']], [['--bogus', '--help']], [[...ok, '-h']]])(
      'answers %j with the usage and description on stdout, exit 0, without running',
      async (argv) => {
        const r = await call(argv);
        expect(r.code).toBe(EXIT_OK);
        expect(r.stdout.split('\n')[0]).toBe(
          'usage: npm run probe:run -- <file> [<more>] --target <name> [--count N] [--dry-run] [--db <url>]',
        );
        expect(r.stdout).toContain('Probes the toolkit.');
        expect(r.stdout).toContain('A longer paragraph about probing.');
        expect(r.stdout).toMatch(/--target <name>\s+where to go \(required\)/);
        expect(r.stdout).toMatch(/--count <N>\s+how often \(default: 3\)/);
        expect(r.stdout).toMatch(/-n, --dry-run\s+change nothing/);
        expect(r.stdout).toMatch(/--db <url>\s+the database \(default: \$PROBE_DB\)/);
        expect(r.stdout).toMatch(/<file>\s+the input/);
        expect(r.stdout).toContain('-h, --help');
        expect(r.stdout).toContain('Exit codes: 0 fine, 1 failed, 2 usage.');
        expect(r.stderr).toBe('');
        expect(r.calls).toEqual([]);
      },
    );

    it('treats --help after -- as an argument, not a request for help', () => {
      const { command } = probe();
      expect(parseCommandLine(command, ['--target', 'x', '--', '--help'], {}).kind).toBe('args');
    });
  });

  describe('usage errors: exit 2, one line naming the problem, the handler never runs', () => {
    it.each([
      [[...ok, '--stgae', 'production'], 'probe:run: unknown option --stgae (see --help)'],
      [[...ok, '-q'], 'probe:run: unknown option -q (see --help)'],
      [['in.json', '--target'], 'probe:run: option --target needs a value (see --help)'],
      [
        ['in.json', '--target', '--dry-run'],
        'probe:run: option --target needs a value (see --help)',
      ],
      [['in.json', '--target='], 'probe:run: option --target needs a value (see --help)'],
      [[...ok, '--dry-run=yes'], 'probe:run: option --dry-run takes no value (see --help)'],
      [['in.json'], 'probe:run: --target is required (see --help)'],
      [['--target', 'x'], 'probe:run: missing argument <file> (see --help)'],
      [[...ok, 'two', 'three'], 'probe:run: unexpected argument three (see --help)'],
      [
        [...ok, '--count', 'many'],
        'probe:run: option --count must be a positive integer, not "many" (see --help)',
      ],
      [
        [...ok, '--count', '0'],
        'probe:run: option --count must be a positive integer, not "0" (see --help)',
      ],
    ])('refuses %j', async (argv, line) => {
      const r = await call(argv);
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.stderr).toBe(line);
      expect(r.stderr).not.toContain('\n');
      expect(r.stdout).toBe('');
      expect(r.calls).toEqual([]);
    });
  });

  describe('values', () => {
    it('types and defaults each option, and passes the positionals', async () => {
      const r = await call(['in.json', 'extra.json', '--target', 'prod', '-n', '--count', '7']);
      expect(r.code).toBe(EXIT_OK);
      expect(r.calls).toEqual([
        {
          values: { target: 'prod', count: 7, 'dry-run': true, db: undefined, mode: 'fast' },
          positionals: ['in.json', 'extra.json'],
          rest: [],
        },
      ]);
    });

    it('falls back to the environment variable, the option winning over it', async () => {
      const env = { PROBE_DB: 'postgres://env' };
      expect((await call(ok, { env })).calls).toEqual([
        expect.objectContaining({ values: expect.objectContaining({ db: 'postgres://env' }) }),
      ]);
      expect((await call([...ok, '--db', 'postgres://flag'], { env })).calls).toEqual([
        expect.objectContaining({ values: expect.objectContaining({ db: 'postgres://flag' }) }),
      ]);
    });

    it('names the environment variable of a required option it may come from', () => {
      const command = defineCommand({
        name: 'probe:env',
        usage: '--db <url>',
        summary: 's',
        options: { db: { type: 'string', env: 'PROBE_DB', required: true, description: 'd' } },
        exitCodes: 'e',
        run: () => 0,
      });
      const parsed = parseCommandLine(command, [], {});
      expect(parsed.kind === 'error' && parsed.error.message).toBe(
        '--db (or PROBE_DB) is required',
      );
      expect(parseCommandLine(command, [], { PROBE_DB: 'x' }).kind).toBe('args');
    });

    it('passes everything after -- on unchanged when the command has a passthrough', () => {
      const command = defineCommand({
        name: 'probe:pass',
        usage: '--stage <name> [-- <tool options>]',
        summary: 's',
        options: { stage: { type: 'string', required: true, description: 'd' } },
        passthrough: 'the tool',
        exitCodes: 'e',
        run: () => 0,
      });
      const parsed = parseCommandLine(
        command,
        ['--stage', 'a', '--', '--profile', 'p', 'x', '--', '--help'],
        {},
      );
      expect(parsed).toEqual({
        kind: 'args',
        args: {
          values: { stage: 'a' },
          positionals: [],
          rest: ['--profile', 'p', 'x', '--', '--help'],
        },
      });
      const stray = parseCommandLine(command, ['--stage', 'a', 'hotswap', '--', '-x'], {});
      expect(stray.kind === 'error' && stray.error.message).toBe(
        'unexpected argument hotswap: the tool options go after --',
      );
      expect(helpText(command)).toContain('Arguments after -- go to the tool unchanged.');
    });
  });

  describe('errors as values', () => {
    it.each([
      [
        'a returned usage error',
        () => usageError('bad thing'),
        2,
        'probe:run: bad thing (see --help)',
      ],
      ['a returned cannot-run error', () => cannotRun('probe:run needs X'), 2, 'probe:run needs X'],
      ['a returned failure', () => failed('probe:run failed: Y'), 1, 'probe:run failed: Y'],
      [
        'a thrown CliError',
        () => {
          throw new CliError('deep in a library', 2);
        },
        2,
        'deep in a library',
      ],
      ['an exit code', () => 1, 1, ''],
    ])('turns %s into its exit code and message', async (_, outcome, code, message) => {
      const r = await call(ok, { outcome });
      expect(r.code).toBe(code);
      expect(r.stderr).toBe(message);
    });

    it('ends an unexpected error with exit 1, naming the command', async () => {
      const r = await call(ok, {
        outcome: async () => {
          throw new TypeError('boom');
        },
      });
      expect(r.code).toBe(EXIT_FAILED);
      expect(r.stderr).toMatch(/^probe:run failed: TypeError: boom/);
    });
  });

  describe('one exit point', () => {
    const sources = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(full);
        return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [full] : [];
      });
    const exits = (files: string[]) =>
      files.flatMap((file) =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            /process\s*\.\s*exit\s*\(/.test(line) ? [`${path.relative(ROOT, file)}:${i + 1}`] : [],
          ),
      );

    it('has no process.exit call in scripts/lib or lambda/ outside the runner', () => {
      const found = exits([
        ...sources(path.join(ROOT, 'scripts', 'lib')),
        ...sources(path.join(ROOT, 'lambda')),
      ]);
      expect(found.filter((f) => !f.startsWith('scripts/lib/cli.ts:'))).toEqual([]);
      expect(found.filter((f) => f.startsWith('scripts/lib/cli.ts:'))).toHaveLength(1);
    });

    it('has no process.exit call in the entry scripts: they end through the runner', () => {
      const entries = fs
        .readdirSync(path.join(ROOT, 'scripts'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(ROOT, 'scripts', f));
      expect(exits(entries)).toEqual([]);
    });
  });
});
