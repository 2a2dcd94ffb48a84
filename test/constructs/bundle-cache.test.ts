import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { cachedBundle } from '../../lib/constructs/bundle-cache';
import { synthCacheDir } from '../../lib/synth-cache';
import { bundleOptions } from '../../lib/constructs/lambda-bundle';

let dir: string;
let src: string;
let cacheDir: string;
let builds: number;

const build = (options: esbuild.BuildOptions) => {
  builds++;
  return esbuild.buildSync(options).metafile!;
};

/** Bundles `src/handler.ts` into a fresh output directory; returns the outcome and files. */
function bundle(o: { cache?: string | undefined; minify?: boolean } = {}) {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  const options = { ...bundleOptions(path.join(src, 'handler.ts'), out), outdir: out };
  if (o.minify === false) options.minify = false;
  const outcome = cachedBundle(options, build, {
    cacheDir: 'cache' in o ? o.cache : cacheDir,
    esbuildVersion: esbuild.version,
    sourceRoot: src,
  });
  const files = Object.fromEntries(
    fs
      .readdirSync(out)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]),
  );
  return { outcome, files };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bundle-cache-'));
  src = path.join(dir, 'src');
  cacheDir = path.join(dir, 'cache');
  fs.mkdirSync(src);
  fs.writeFileSync(
    path.join(src, 'handler.ts'),
    "import { greeting } from './greeting';\nexport const handler = async () => greeting('x');\n",
  );
  fs.writeFileSync(
    path.join(src, 'greeting.ts'),
    'export const greeting = (n: string) => `hello ${n}`;\n',
  );
  builds = 0;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the Lambda bundle cache', () => {
  it('reuses a bundle built from the same files, byte for byte, without running esbuild', () => {
    const first = bundle();
    expect(first.outcome).toBe('built');
    const again = bundle();
    expect(again.outcome).toBe('reused');
    expect(builds).toBe(1);
    expect(again.files).toEqual(first.files);
    expect(Object.keys(again.files)).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it('builds again when an imported file changes, even with its size and time kept', () => {
    bundle();
    const file = path.join(src, 'greeting.ts');
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'export const greeting = (n: string) => `howdy ${n}`;\n');
    fs.utimesSync(file, mtime, mtime);
    const changed = bundle();
    expect(changed.outcome).toBe('built');
    expect(changed.files['index.mjs']).toContain('howdy');
    expect(bundle().outcome).toBe('reused');
  });

  it('reuses a bundle when a file is only touched, and records its new time', () => {
    bundle();
    const file = path.join(src, 'greeting.ts');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(bundle().outcome).toBe('reused');
    expect(builds).toBe(1);
    const family = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    const record = JSON.parse(
      fs.readFileSync(path.join(family, fs.readdirSync(family)[0], 'record.json'), 'utf8'),
    );
    const input = record.inputs.find((i: { file: string }) => i.file.endsWith('greeting.ts'));
    expect(input.mtimeMs).toBe(fs.statSync(file).mtimeMs);
  });

  it('builds again when a file is added to the sources, which may change how imports resolve', () => {
    bundle();
    fs.mkdirSync(path.join(src, 'greeting'));
    fs.writeFileSync(path.join(src, 'greeting', 'index.ts'), 'export const other = 1;\n');
    expect(bundle().outcome).toBe('built');
  });

  it('builds again when an imported file is gone, and when the options differ', () => {
    bundle();
    expect(bundle({ minify: false }).outcome).toBe('built');
    fs.rmSync(path.join(src, 'greeting.ts'));
    fs.writeFileSync(path.join(src, 'handler.ts'), 'export const handler = async () => 1;\n');
    expect(bundle().outcome).toBe('built');
  });

  it('keeps one entry per entry point', () => {
    bundle();
    fs.appendFileSync(path.join(src, 'greeting.ts'), '// changed\n');
    fs.writeFileSync(path.join(src, 'new.ts'), 'export {};\n');
    bundle();
    const families = fs.readdirSync(cacheDir);
    expect(families).toHaveLength(1);
    expect(fs.readdirSync(path.join(cacheDir, families[0]))).toHaveLength(1);
  });

  it('builds again when a record is unreadable, and builds when the cache cannot be written', () => {
    bundle();
    const family = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    const entry = path.join(family, fs.readdirSync(family)[0]);
    fs.writeFileSync(path.join(entry, 'record.json'), '{"inputs": [');
    expect(bundle().outcome).toBe('built');
    expect(bundle().outcome).toBe('reused');
    const blocked = path.join(dir, 'not-a-directory');
    fs.writeFileSync(blocked, '');
    const r = bundle({ cache: blocked });
    expect(r.outcome).toBe('built');
    expect(r.files['index.mjs']).toContain('hello');
  });

  it('builds every time without a cache directory', () => {
    expect(bundle({ cache: undefined }).outcome).toBe('built');
    expect(bundle({ cache: undefined }).outcome).toBe('built');
    expect(fs.existsSync(cacheDir)).toBe(false);
  });

  it('lives under node_modules/.cache unless BULWARK_SYNTH_CACHE says otherwise', () => {
    expect(synthCacheDir('bundles', {})).toBe(
      path.join(__dirname, '..', '..', 'node_modules', '.cache', 'bulwark-synth', 'bundles'),
    );
    expect(synthCacheDir('validation', { BULWARK_SYNTH_CACHE: 'off' })).toBeUndefined();
    expect(synthCacheDir('validation', { BULWARK_SYNTH_CACHE: dir })).toBe(
      path.join(dir, 'validation'),
    );
  });
});
