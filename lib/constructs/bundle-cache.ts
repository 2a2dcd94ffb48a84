import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

/** Repository root: cache records name files relative to it. */
const ROOT = path.join(__dirname, '..', '..');

/** One file esbuild read, as it was when the bundle was built. */
interface InputRecord {
  /** Relative to the repository root. */
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

interface CacheRecord {
  readonly inputs: InputRecord[];
  /** Output files, relative to the bundle directory. */
  readonly outputs: string[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file name under `dir` (names only): a new file may change how an import resolves. */
function listing(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

/**
 * What a bundle depends on besides the files it read: the options (the output
 * directory aside), esbuild's version, the lockfile (every dependency's version) and
 * the names of the files under the Lambda sources.
 */
function cacheKey(options: BuildOptions, esbuildVersion: string, sourceRoot: string): string {
  const rest = { ...options, outdir: undefined };
  const entries = Object.fromEntries(
    Object.entries((rest.entryPoints ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      path.relative(ROOT, v),
    ]),
  );
  const lock = path.join(ROOT, 'package-lock.json');
  return sha256(
    JSON.stringify({
      options: { ...rest, entryPoints: entries },
      esbuildVersion,
      lock: fs.existsSync(lock) ? sha256(fs.readFileSync(lock)) : null,
      sources: listing(sourceRoot),
    }),
  );
}

/**
 * The record with every input's current time when every input is as recorded (same
 * size and time, or else the same content); undefined when any differs.
 */
function unchangedInputs(record: CacheRecord): CacheRecord | undefined {
  const inputs: InputRecord[] = [];
  for (const input of record.inputs) {
    const file = path.join(ROOT, input.file);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (stat.size !== input.size) return undefined;
    if (stat.mtimeMs !== input.mtimeMs && sha256(fs.readFileSync(file)) !== input.sha256) {
      return undefined;
    }
    inputs.push({ ...input, mtimeMs: stat.mtimeMs });
  }
  return { ...record, inputs };
}

function recordOf(metafile: Metafile, outdir: string, cwd: string): CacheRecord {
  const inputs: InputRecord[] = [];
  for (const name of Object.keys(metafile.inputs)) {
    const file = path.resolve(cwd, name);
    if (!fs.existsSync(file)) continue; // esbuild's own virtual modules
    const stat = fs.statSync(file);
    inputs.push({
      file: path.relative(ROOT, file),
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      sha256: sha256(fs.readFileSync(file)),
    });
  }
  return { inputs, outputs: listing(outdir) };
}

/** What {@link cachedBundle} did. */
export type BundleOutcome = 'built' | 'reused';

/**
 * Bundles with `build` into `options.outdir`, or copies the bundle an earlier synth
 * built from the same inputs. A bundle is reused only when the key
 * ({@link cacheKey}) matches and every file esbuild read then is unchanged (its
 * content, where its time differs); otherwise it is built and the cache entry
 * replaced ({@link keep}).
 */
export function cachedBundle(
  options: BuildOptions & { outdir: string },
  build: (options: BuildOptions) => Metafile,
  o: { cacheDir: string | undefined; esbuildVersion: string; sourceRoot: string },
): BundleOutcome {
  const cwd = options.absWorkingDir ?? process.cwd();
  if (!o.cacheDir) {
    build(options);
    return 'built';
  }
  const entryName = Object.values((options.entryPoints ?? {}) as Record<string, string>)
    .map((e) => path.relative(ROOT, e).replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('+');
  const family = path.join(o.cacheDir, entryName);
  const key = cacheKey(options, o.esbuildVersion, o.sourceRoot);
  const entry = path.join(family, key);
  if (reuse(entry, options.outdir)) return 'reused';
  const metafile = build({ ...options, metafile: true });
  try {
    keep(entry, family, recordOf(metafile, options.outdir, cwd), options.outdir);
  } catch {
    // The cache only saves time: a bundle it could not keep (a read-only directory, a
    // full disk) is built all the same.
  }
  return 'built';
}

/**
 * Copies the entry's bundle into `outdir` when its record is readable and every input
 * is unchanged; false otherwise (also when the entry is replaced by a concurrent synth
 * while being copied), with `outdir` left empty. Records the inputs' new times.
 */
function reuse(entry: string, outdir: string): boolean {
  let record: CacheRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(entry, 'record.json'), 'utf8')) as CacheRecord;
    if (!Array.isArray(record.inputs) || !Array.isArray(record.outputs)) return false;
  } catch {
    return false;
  }
  const current = unchangedInputs(record);
  if (!current) return false;
  try {
    for (const f of record.outputs) {
      fs.mkdirSync(path.dirname(path.join(outdir, f)), { recursive: true });
      fs.copyFileSync(path.join(entry, 'bundle', f), path.join(outdir, f));
    }
  } catch {
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.mkdirSync(outdir, { recursive: true });
    return false;
  }
  // Files only touched (a fresh `npm ci`, a checkout) are hashed once, not at every synth.
  if (current.inputs.some((input, i) => input.mtimeMs !== record.inputs[i].mtimeMs)) {
    try {
      const temp = path.join(entry, `record.json.${process.pid}.tmp`);
      fs.writeFileSync(temp, JSON.stringify(current));
      fs.renameSync(temp, path.join(entry, 'record.json'));
    } catch {
      // Not kept: the next synth hashes them again.
    }
  }
  return true;
}

/**
 * Puts the bundle in `outdir` into the cache as `entry`, replacing the entry point's
 * other entries. Written to a temporary directory and renamed into place, so that a
 * concurrent synth never reads half an entry.
 */
function keep(entry: string, family: string, record: CacheRecord, outdir: string): void {
  const temp = `${entry}.${process.pid}.${Date.now()}.tmp`;
  fs.mkdirSync(temp, { recursive: true });
  fs.cpSync(outdir, path.join(temp, 'bundle'), { recursive: true });
  fs.writeFileSync(path.join(temp, 'record.json'), JSON.stringify(record));
  for (const old of fs.readdirSync(family)) {
    if (old !== path.basename(temp))
      fs.rmSync(path.join(family, old), { recursive: true, force: true });
  }
  try {
    fs.renameSync(temp, entry);
  } catch {
    // Another synth put the same entry in place first.
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
