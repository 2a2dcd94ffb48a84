import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, EXIT_OK, EXIT_USAGE, invoke } from '../../scripts/lib/cli';
import { command as apiLocal } from '../../scripts/api-local';
import { command as backup } from '../../scripts/backup';
import { command as breakGlass } from '../../scripts/break-glass';
import { command as benchApi } from '../../scripts/bench/api';
import { command as benchBackup } from '../../scripts/bench/backup';
import { command as benchSynth } from '../../scripts/bench/synth';
import { command as deliveryEnv } from '../../scripts/delivery-env';
import { command as deploy } from '../../scripts/deploy';
import { command as drPromote } from '../../scripts/dr-promote';
import { command as drift } from '../../scripts/drift';
import { command as guard } from '../../scripts/guard';
import { command as integ } from '../../scripts/integ';
import { command as lintTemplates } from '../../scripts/lint-templates';
import { command as preflight } from '../../scripts/preflight';
import { command as report } from '../../scripts/report';
import { command as restore } from '../../scripts/restore';
import { command as smoke } from '../../scripts/smoke';
import { command as spaceCreate } from '../../scripts/space-create';
import { command as threatReplay } from '../../scripts/threat-replay';
import { command as verify } from '../../scripts/verify';

const ROOT = path.join(__dirname, '..', '..');
const packageScripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/** Every command, with the script file its npm script runs. */
const COMMANDS: Array<[string, Command, string]> = [
  ['scripts/api-local.ts', apiLocal, 'api:local'],
  ['scripts/backup.ts', backup, 'backup'],
  ['scripts/break-glass.ts', breakGlass, 'break-glass'],
  ['scripts/bench/api.ts', benchApi, 'bench:api'],
  ['scripts/bench/backup.ts', benchBackup, 'bench:backup'],
  ['scripts/bench/synth.ts', benchSynth, 'bench:synth'],
  ['scripts/delivery-env.ts', deliveryEnv, 'delivery:env'],
  ['scripts/deploy.ts', deploy, 'deploy'],
  ['scripts/dr-promote.ts', drPromote, 'dr:promote'],
  ['scripts/drift.ts', drift, 'drift'],
  ['scripts/guard.ts', guard, 'guard'],
  ['scripts/integ.ts', integ, 'integ'],
  ['scripts/lint-templates.ts', lintTemplates, 'lint:templates'],
  ['scripts/preflight.ts', preflight, 'preflight'],
  ['scripts/report.ts', report, 'report'],
  ['scripts/restore.ts', restore, 'restore'],
  ['scripts/smoke.ts', smoke, 'smoke'],
  ['scripts/space-create.ts', spaceCreate, 'space:create'],
  ['scripts/threat-replay.ts', threatReplay, 'threat:replay'],
  ['scripts/verify.ts', verify, 'verify'],
].map(([file, command, name]) => [name as string, command as Command, file as string]);

async function run(command: Command, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await invoke(command, argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The first option of a command that takes a value. */
const valueOption = (command: Command) =>
  Object.entries(command.options).find(([, o]) => o.type !== 'boolean')?.[0];

describe('every command', () => {
  it('covers every npm script that runs a script of scripts/', () => {
    const run = Object.entries(packageScripts)
      .filter(([, line]) => /tsx scripts\//.test(line))
      .map(([name, line]) => [name, /tsx (scripts\/\S+\.ts)/.exec(line)![1]]);
    expect(run.sort()).toEqual(COMMANDS.map(([name, , file]) => [name, file]).sort());
  });

  describe.each(COMMANDS)('npm run %s', (name, command) => {
    it('is named after its npm script', () => {
      expect(command.name).toBe(name);
    });

    it.each([['--help'], ['-h']])(
      'answers %s with a usage line naming the npm script, exit 0',
      async (flag) => {
        const r = await run(command, [flag]);
        expect(r.code).toBe(EXIT_OK);
        expect(r.stdout.split('\n')[0]).toMatch(
          new RegExp(`^usage: npm run ${name.replace(':', '\\:')}( |$)`),
        );
        expect(r.stdout).toContain(command.summary);
        expect(r.stdout).toContain('Exit codes: ');
        expect(r.stderr).toBe('');
      },
    );

    it('refuses an unknown option with exit 2 and one line naming it', async () => {
      const r = await run(command, ['--stgae', 'production']);
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.stderr).toBe(`${name}: unknown option --stgae (see --help)`);
      expect(r.stdout).toBe('');
    });

    const option = valueOption(command);
    if (option) {
      it(`refuses its option --${option} without a value, exit 2 naming it`, async () => {
        const r = await run(command, [`--${option}`]);
        expect(r.code).toBe(EXIT_USAGE);
        expect(r.stderr).toBe(`${name}: option --${option} needs a value (see --help)`);
      });
    }
  });
});

describe('the entry points, as processes', () => {
  const spawn = (file: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' },
    });

  it.each([
    ['threat:replay', 'scripts/threat-replay.ts'],
    ['deploy', 'scripts/deploy.ts'],
    ['backup', 'scripts/backup.ts'],
  ])('%s exits 0 on --help and 2 on an unknown option', (name, file) => {
    const help = spawn(file, ['--help']);
    expect(help.status).toBe(EXIT_OK);
    expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${name}`));

    const unknown = spawn(file, ['--stgae', 'production', 'f.json']);
    expect(unknown.status).toBe(EXIT_USAGE);
    expect(unknown.stderr).toBe(`${name}: unknown option --stgae (see --help)\n`);
    expect(unknown.stdout).toBe('');
  });
});
