/**
 * `npm run bench:synth [-- --runs N]`
 *
 * Times `npm run synth` (every stage, nag packs, CloudFormation validation) against
 * synthesizing an empty one-stack app with the same runner, alternating them N times
 * (default 5): the full synth with what an earlier synth left to reuse (bundles, validated
 * templates: `full`, a developer's next synth) and with an empty cache (`cold`, a fresh
 * clone, as CI). Prints the medians and the ratios on the last line:
 *
 *   bench:synth full_s=<x> cold_s=<c> empty_s=<y> ratio=<x/y> cold_ratio=<c/y>
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineCommand, runMain } from '../lib/cli';

/** `npm run bench:synth`. */
export const command = defineCommand({
  name: 'bench:synth',
  usage: '[--runs N]',
  summary: 'Times npm run synth against synthesizing an empty one-stack app with the same runner.',
  description: `The full synth with its synth cache (full), with an empty one (cold) and the empty
app alternate N times; the last line holds the medians and their ratios:
  bench:synth full_s=<x> cold_s=<c> empty_s=<y> ratio=<x/y> cold_ratio=<c/y>`,
  options: {
    runs: { type: 'integer', default: 5, description: 'how many times each is synthesized' },
  },
  exitCodes: '0 measured, 1 a synthesis failed, 2 bad arguments.',
  run: ({ values }) => bench(values.runs),
});

const commands = (emptyOut: string) =>
  ({
    full: ['npm', ['run', '--silent', 'synth']],
    cold: ['npm', ['run', '--silent', 'synth']],
    empty: [
      'npm',
      [
        'run',
        '--silent',
        'synth',
        '--',
        '--app',
        'npx tsx scripts/bench/empty-app.ts',
        '-o',
        emptyOut,
      ],
    ],
  }) as const;

function time(emptyOut: string, name: keyof ReturnType<typeof commands>): number {
  const [cmd, args] = commands(emptyOut)[name];
  // A cache directory of its own, empty every time: every bundle is built, every template validated.
  const coldCache =
    name === 'cold' ? fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-synth-cache-')) : undefined;
  const env = coldCache ? { ...process.env, BULWARK_SYNTH_CACHE: coldCache } : process.env;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, [...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env,
  });
  if (coldCache) fs.rmSync(coldCache, { recursive: true, force: true });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${name} synth failed:\n${r.stderr}`);
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function bench(runs: number): number {
  const emptyOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-'));
  const samples = { full: [] as number[], cold: [] as number[], empty: [] as number[] };
  // Fills the synth cache that `full` reuses.
  time(emptyOut, 'full');
  for (let i = 0; i < runs; i++) {
    const order: (keyof ReturnType<typeof commands>)[] =
      i % 2 === 0 ? ['full', 'cold', 'empty'] : ['empty', 'cold', 'full'];
    for (const name of order) {
      samples[name].push(time(emptyOut, name));
    }
    console.error(
      `run ${i + 1}/${runs}: full ${samples.full.at(-1)!.toFixed(2)} s, cold ${samples.cold.at(-1)!.toFixed(2)} s, empty ${samples.empty.at(-1)!.toFixed(2)} s`,
    );
  }
  fs.rmSync(emptyOut, { recursive: true, force: true });
  const full = median(samples.full);
  const cold = median(samples.cold);
  const empty = median(samples.empty);
  console.log(
    `bench:synth full_s=${full.toFixed(2)} cold_s=${cold.toFixed(2)} empty_s=${empty.toFixed(2)}` +
      ` ratio=${(full / empty).toFixed(2)} cold_ratio=${(cold / empty).toFixed(2)}`,
  );
  return 0;
}

runMain(command, module);
