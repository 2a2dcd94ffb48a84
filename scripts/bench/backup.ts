/**
 * `npm run bench:backup [-- --size-mb N]`
 *
 * Seeds a throwaway PostgreSQL with about N MB of entries (default 1024), then in the
 * same run times the nightly export (`npm run backup`, to a local s3rver in a process of
 * its own, whose CPU time is reported) against `pg_dump -Fc` with gzip level 1 and with
 * its default compression, to local files; compares the stored sizes; samples the
 * export process's peak RSS at N and at 4 × N MB; and times the export at N MB with 1
 * and 4 workers beside the default. Last line:
 *
 *   bench:backup mb=… workers=… mbps=… ratio_gzip1=… ratio_default=… size_ratio=… rss_mb=… rss_growth=… s3_cpu_s=… mbps_w1=… mbps_w4=…
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Pool } from 'pg';
import { migrate } from '../../lambda/shared/content-schema/migrate';
import { defineCommand, runMain } from '../lib/cli';
import { postgresBinDir, startThrowawayPostgres } from '../lib/throwaway-postgres';

const ROOT = path.join(__dirname, '..', '..');
const MB = 1024 * 1024;

/** Grows `entries` until the database holds about `targetMb` MB. */
async function seed(pool: Pool, targetMb: number): Promise<number> {
  const size = async () =>
    Number(
      (await pool.query('SELECT pg_database_size(current_database())::float8 AS s')).rows[0].s,
    ) / MB;
  // ~1.1 KB per entry: a JSON document with a title, numbers and hex text that
  // compresses about as well as real prose.
  while ((await size()) < targetMb) {
    const missing = Math.max(1000, Math.ceil(((targetMb - (await size())) * MB) / 1600));
    await pool.query(
      `INSERT INTO entries (id, space_id, content_type, slug, fields, status, version, created_at, updated_at)
       SELECT gen_random_uuid(), 'bench', 'article', 'e-' || gen_random_uuid(),
              jsonb_build_object('title', 'Entry ' || i, 'n', i,
                'body', (SELECT string_agg(md5(random()::text || i || k), ' ') FROM generate_series(1, 28) k)),
              'published', 1, now(), now()
         FROM generate_series(1, $1::int) i`,
      [Math.min(missing, 200_000)],
    );
  }
  await pool.query('VACUUM ANALYZE entries');
  return size();
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line (11 and 12 after the name).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** s3rver in a child process (`s3rver-child.ts`): its endpoint, CPU time and stop. */
async function startS3rver(directory: string, bucket: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 's3rver-child.ts'), directory, bucket],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cpuSeconds: () => cpuSeconds(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Runs a command, returning seconds taken and (from /proc) its peak RSS in MB. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ seconds: number; peakRssMb: number; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const start = process.hrtime.bigint();
      const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let peak = 0;
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const sample = setInterval(() => {
        try {
          const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
          if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
        } catch {
          // exited between samples
        }
      }, 20);
      child.on('close', (code) => {
        clearInterval(sample);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr}`));
        else resolve({ seconds, peakRssMb: peak, stdout, stderr });
      });
    },
  );
}

/** `npm run bench:backup`. */
export const command = defineCommand({
  name: 'bench:backup',
  usage: '[--size-mb N]',
  summary:
    'Times the nightly export against pg_dump -Fc, compares stored sizes and samples peak RSS.',
  description: `It seeds a throwaway PostgreSQL with about N MB of entries, then times npm run backup
(to a local s3rver in a process of its own, whose CPU time is reported) against pg_dump -Fc
with gzip level 1 and with its default compression, times the export with 1 and 4 workers,
and samples the export's peak RSS at N and at 4 × N MB. The last line:
  bench:backup mb=… workers=… mbps=… ratio_gzip1=… ratio_default=… size_ratio=… rss_mb=… rss_growth=… s3_cpu_s=… mbps_w1=… mbps_w4=…`,
  options: {
    'size-mb': { type: 'integer', default: 1024, description: 'the database size to seed, in MB' },
  },
  exitCodes: '0 measured, 1 the benchmark failed, 2 bad arguments.',
  run: async ({ values }) => {
    await bench(values['size-mb']);
    return 0;
  },
});

async function bench(sizeMb: number): Promise<void> {
  const pg = await startThrowawayPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-backup-'));
  const s3dir = path.join(dir, 's3');
  fs.mkdirSync(s3dir);
  const server = await startS3rver(s3dir, 'bench');
  const endpoint = server.endpoint;
  const s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const admin = new Pool({ connectionString: pg.url, max: 1 });
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const url = pg.url.replace(/\/postgres$/, '/bench');
  const pool = new Pool({ connectionString: url, max: 2 });
  const pgDump = path.join(postgresBinDir(), 'pg_dump');
  const version = spawnSync(pgDump, ['--version'], { encoding: 'utf8' }).stdout.trim();
  // PostgreSQL 16 spells gzip level 1 `--compress=gzip:1`; earlier versions `-Z 1`.
  const gzip1 = Number(/(\d+)/.exec(version)![1]) >= 16 ? '--compress=gzip:1' : '--compress=1';
  try {
    await migrate(pool);
    await pool.query("INSERT INTO spaces (id) VALUES ('bench')");
    // The export's own time (connect to manifest written), as the CLI reports it; the
    // process's start-up (tsx compiling TypeScript) is shown separately.
    const backup = async (prefix: string, workers?: number) => {
      const s3Cpu = server.cpuSeconds();
      const run = await measure(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(ROOT, 'scripts', 'backup.ts'),
          '--database-url',
          url,
          '--bucket',
          'bench',
          '--endpoint',
          endpoint,
          '--prefix',
          prefix,
          ...(workers ? ['--workers', String(workers)] : []),
        ],
        { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
      );
      const own = Number(/manifest written in ([\d.]+) s/.exec(run.stderr)![1]);
      const usedWorkers = Number(/with (\d+) workers?/.exec(run.stderr)?.[1] ?? NaN);
      return {
        ...run,
        seconds: own,
        wallSeconds: run.seconds,
        workers: usedWorkers,
        s3CpuSeconds: server.cpuSeconds() - s3Cpu,
      };
    };
    const stored = async (prefix: string) => {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: 'bench', Prefix: prefix }));
      return (r.Contents ?? []).reduce((n, o) => n + (o.Size ?? 0), 0);
    };

    const mb = await seed(pool, sizeMb);
    console.error(`seeded ${mb.toFixed(0)} MB (${version})`);
    const copyBytes = Number(
      (await pool.query('SELECT sum(length(t::text))::float8 AS b FROM entries t')).rows[0].b,
    );
    const ours = await backup('one');
    const oursBytes = await stored('one/');
    const dump1File = path.join(dir, 'gzip1.dump');
    const dump1 = await measure(pgDump, ['-Fc', gzip1, '-f', dump1File, url]);
    const dumpDefault = await measure(pgDump, ['-Fc', '-f', path.join(dir, 'default.dump'), url]);
    const size1 = fs.statSync(dump1File).size;
    const one = await backup('w1', 1);
    const four = await backup('w4', 4);
    console.error(
      `export ${ours.seconds.toFixed(1)} s with ${ours.workers} workers (process ${ours.wallSeconds.toFixed(1)} s with start-up; ${(oursBytes / MB).toFixed(0)} MB stored, peak RSS ${ours.peakRssMb.toFixed(0)} MB; s3rver used ${ours.s3CpuSeconds.toFixed(1)} s of CPU); ` +
        `1 worker ${one.seconds.toFixed(1)} s, 4 workers ${four.seconds.toFixed(1)} s; ` +
        `pg_dump -Fc ${gzip1} ${dump1.seconds.toFixed(1)} s (${(size1 / MB).toFixed(0)} MB); pg_dump -Fc ${dumpDefault.seconds.toFixed(1)} s`,
    );

    const big = await seed(pool, sizeMb * 4);
    const large = await backup('large');
    console.error(
      `at ${big.toFixed(0)} MB: export ${large.seconds.toFixed(1)} s, peak RSS ${large.peakRssMb.toFixed(0)} MB`,
    );

    const f = (x: number) => x.toFixed(2);
    const mbps = (run: { seconds: number }) => f(copyBytes / MB / run.seconds);
    console.log(
      `bench:backup mb=${mb.toFixed(0)} workers=${ours.workers} mbps=${mbps(ours)} ratio_gzip1=${f(dump1.seconds / ours.seconds)} ` +
        `ratio_default=${f(dumpDefault.seconds / ours.seconds)} size_ratio=${f(oursBytes / size1)} ` +
        `rss_mb=${ours.peakRssMb.toFixed(0)} rss_growth=${f(large.peakRssMb / ours.peakRssMb)} ` +
        `s3_cpu_s=${f(ours.s3CpuSeconds)} mbps_w1=${mbps(one)} mbps_w4=${mbps(four)}`,
    );
  } finally {
    await pool.end();
    s3.destroy();
    await server.stop();
    pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain(command, module);
