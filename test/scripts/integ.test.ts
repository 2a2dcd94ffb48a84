import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../scripts/lib/integ/run';

/** A home whose AWS config defines the profile `sandbox` (no credentials in it). */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));
fs.mkdirSync(path.join(home, '.aws'));
fs.writeFileSync(path.join(home, '.aws', 'config'), '[profile sandbox]\nregion = eu-west-1\n');
const withCredentials = { HOME: home };

async function integ(argv: string[], env: NodeJS.ProcessEnv, exits: number[] = []) {
  let stderr = '';
  let stdout = '';
  const commands: string[][] = [];
  const code = await run(argv, {
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += `${t}\n`),
    exec: (c, a, e) => {
      commands.push([e.AWS_PROFILE ?? '', c, ...a]);
      return exits.shift() ?? 0;
    },
  });
  return { code, stderr, stdout, commands };
}

const ARGS = ['--profile', 'sandbox', '--config', 'test/integ/sandbox.example.json'];

describe('npm run integ', () => {
  it('synthesizes, deploys every stack with its assertions, then destroys them', async () => {
    const r = await integ(ARGS, withCredentials);
    expect(r.code).toBe(0);
    expect(r.commands.map((c) => c.slice(0, 4))).toEqual([
      ['sandbox', 'npx', 'cdk', 'synth'],
      ['sandbox', 'npx', 'cdk', 'deploy'],
      ['sandbox', 'npx', 'cdk', 'destroy'],
    ]);
    expect(r.commands[1]).toContain('--all');
    expect(r.stderr).toContain('Object Lock keeps backups');
  });

  it('fails when an assertion fails, and still destroys the sandbox', async () => {
    const r = await integ(ARGS, withCredentials, [0, 1, 0]);
    expect(r.code).toBe(1);
    expect(r.commands.map((c) => c[3])).toEqual(['synth', 'deploy', 'destroy']);
  });

  it('leaves the sandbox deployed with --keep', async () => {
    const r = await integ([...ARGS, '--keep'], withCredentials);
    expect(r.commands.map((c) => c[3])).toEqual(['synth', 'deploy']);
  });

  it('exits 2 when the profile is not configured, before anything runs', async () => {
    const r = await integ(
      ['--profile', 'elsewhere', '--config', 'test/integ/sandbox.example.json'],
      withCredentials,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS profile elsewhere is configured');
    expect(r.commands).toEqual([]);
  });

  it.each([
    [
      ['--profile', 'p', '--config', 'test/integ/sandbox.example.json', '--bogus'],
      'integ: unknown option --bogus (see --help)',
    ],
    [['--profile', 'p'], 'integ: --profile and --config are required'],
    [['--profile'], 'integ: option --profile needs a value (see --help)'],
    [['--profile', 'p', '--config', '/nonexistent.json'], 'does not exist'],
  ])('rejects %j with exit 2', async (argv, message) => {
    const r = await integ(argv, withCredentials);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.commands).toEqual([]);
  });

  it('answers --help with exit 0', async () => {
    const r = await integ(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('a crafted one blocking its address');
  });
});
