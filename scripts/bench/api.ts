/**
 * `npm run bench:api [-- --iterations N]`
 *
 * Measures the content API against a bare `pg` query over the same pool, on a local
 * PostgreSQL (DATABASE_URL, or a throwaway cluster): GET of one entry (p50, p99),
 * a list of 50 entries, throughput of 10 concurrent clients, and a cold start proxy
 * (a fresh node process loading the built bundle and serving one request, against a
 * hello-world bundle built with the same esbuild options). Last line:
 *
 *   bench:api get_p50_ratio=… get_p99_ratio=… list_ratio=… conc_ratio=… handler_us=… cold_ratio=… bundle_kb=…
 *
 * `handler_us` is what the Lambda handler adds to a GET (the ALB event and result, the
 * request's EMF line), measured against the same API called directly.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../../lib/constructs/lambda-bundle';
import { Pool } from 'pg';
import { createApi } from '../../lambda/content-api/api';
import { PgContentStore } from '../../lambda/content-api/adapters/pg-store';
import { ContentService } from '../../lambda/content-api/domain/service';
import type { ApiRequest } from '../../lambda/content-api/http';
import type { Context } from 'aws-lambda';
import { createSpaceWithAdmin } from '../lib/spaces';
import { startThrowawayPostgres } from '../lib/throwaway-postgres';
import { defineCommand, runMain } from '../lib/cli';

const WARMUP = 1_000;
const PEPPER = 'bench-pepper';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs: number[]) => percentile(xs, 50);

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return samples;
}

async function throughput(
  total: number,
  workers: number,
  fn: () => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next++ < total) await fn();
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Bundles like the deployed function, for the local Node.js version; returns its total size. */
function bundle(entry: string, outdir: string): number {
  buildSync(bundleOptions(entry, outdir, `node${process.versions.node.split('.')[0]}`));
  return fs
    .readdirSync(outdir)
    .filter((f) => f.endsWith('.mjs'))
    .reduce((sum, f) => sum + fs.statSync(path.join(outdir, f)).size, 0);
}

function coldRun(
  runner: string,
  bundlePath: string,
  event: object,
  env: NodeJS.ProcessEnv,
): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [runner, bundlePath, JSON.stringify(event)], {
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cold run failed: ${r.stderr}`);
  if (!r.stdout.includes('"statusCode":200')) throw new Error(`cold run answered ${r.stdout}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** `npm run bench:api`. */
export const command = defineCommand({
  name: 'bench:api',
  usage: '[--iterations N]',
  summary:
    'Measures the content API against a bare pg query over the same pool, and its cold start.',
  description: `On a local PostgreSQL (DATABASE_URL, or a throwaway cluster): GET of one entry (p50,
p99), a list of 50 entries, throughput of 10 concurrent clients, and a cold start proxy.
The last line holds the ratios:
  bench:api get_p50_ratio=… get_p99_ratio=… list_ratio=… conc_ratio=… handler_us=… cold_ratio=… bundle_kb=…`,
  options: {
    iterations: {
      type: 'integer',
      default: 10_000,
      description: 'requests per measurement',
    },
  },
  exitCodes: '0 measured, 1 the benchmark failed, 2 bad arguments.',
  run: async ({ values }) => {
    await bench(values.iterations);
    return 0;
  },
});

async function bench(iterations: number): Promise<void> {
  const own = process.env.DATABASE_URL ? undefined : await startThrowawayPostgres();
  const url = process.env.DATABASE_URL ?? own!.url;
  const pool = new Pool({ connectionString: url, max: 10 });
  try {
    const space = `bench-${Date.now().toString(36)}`;
    const { key } = await createSpaceWithAdmin(pool, space, Buffer.from(PEPPER));
    const service = new ContentService({
      store: new PgContentStore(pool),
      invalidator: { invalidate: async () => undefined },
      pepper: Buffer.from(PEPPER),
      rotationGraceSeconds: 0,
      now: () => new Date(),
    });
    const api = createApi(service, (m, d) => console.error(m, d));
    const principal = await service.authenticate(key);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const e = await service.createEntry(principal, space, {
        contentType: 'article',
        slug: `bench-${i}`,
        fields: { title: `Entry ${i}`, body: 'x'.repeat(2000), tags: ['a', 'b'], n: i },
      });
      await service.publishEntry(principal, space, e.id, undefined);
      ids.push(e.id);
    }
    const id = ids[0];
    const headers = { authorization: `Bearer ${key}` };
    const getReq: ApiRequest = {
      method: 'GET',
      path: `/v1/spaces/${space}/entries/${id}`,
      query: {},
      headers,
    };
    const listReq: ApiRequest = {
      method: 'GET',
      path: `/v1/spaces/${space}/entries`,
      query: { limit: '50' },
      headers,
    };
    // The baselines are prepared statements too: the fastest way to read the same rows.
    const bareGet = () =>
      pool.query({
        name: 'bench_get',
        text: 'SELECT * FROM entries WHERE space_id = $1 AND id = $2',
        values: [space, id],
      });
    const bareList = () =>
      pool.query({
        name: 'bench_list',
        text: "SELECT * FROM entries WHERE space_id = $1 AND status = 'published' ORDER BY created_at, id LIMIT 51",
        values: [space],
      });
    const check = async (req: ApiRequest) => {
      const r = await api(req);
      if (r.status !== 200) throw new Error(`unexpected ${r.status}`);
    };

    await time(WARMUP, () => check(getReq));
    await time(WARMUP, bareGet);
    // Both sides alternate in short blocks, so that the machine's drift (a shared
    // 2-core VM) affects them alike; each figure is over all blocks.
    const apiGet: number[] = [];
    const rawGet: number[] = [];
    for (let done = 0; done < iterations; done += 250) {
      apiGet.push(...(await time(250, () => check(getReq))));
      rawGet.push(...(await time(250, bareGet)));
    }
    const listIterations = Math.max(1000, iterations / 5);
    await time(200, () => check(listReq));
    await time(200, bareList);
    const apiList: number[] = [];
    const rawList: number[] = [];
    for (let done = 0; done < listIterations; done += 100) {
      apiList.push(...(await time(100, () => check(listReq))));
      rawList.push(...(await time(100, bareList)));
    }
    // Throughput: five alternating rounds; the ratio is the median of the rounds'.
    const concRatios: number[] = [];
    let apiConc = 0;
    let rawConc = 0;
    for (let round = 0; round < 5; round++) {
      const a = await throughput(iterations / 5, 10, () => check(getReq));
      const b = await throughput(iterations / 5, 10, bareGet);
      concRatios.push(a / b);
      apiConc += a / 5;
      rawConc += b / 5;
    }

    // The Lambda handler around the same API: the ALB event and result, and the one
    // line it writes per request (an EMF document), formatted but not written: stdout is
    // the benchmark's own, so writes are dropped while the handler runs.
    process.env.DATABASE_URL = url;
    process.env.API_KEY_PEPPER = PEPPER;
    const { handler } = await import('../../lambda/content-api/handler');
    // The GET as the ALB delivers it (also the cold start's request).
    const albGet = {
      requestContext: { elb: { targetGroupArn: 'bench' } },
      httpMethod: 'GET',
      path: getReq.path,
      queryStringParameters: {},
      headers,
      body: null,
      isBase64Encoded: false,
    };
    const lambdaContext = { functionName: 'bench', awsRequestId: 'bench' } as Context;
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    const viaHandler: number[] = [];
    const direct: number[] = [];
    try {
      await time(WARMUP, () => handler(albGet, lambdaContext));
      for (let done = 0; done < iterations / 2; done += 250) {
        viaHandler.push(...(await time(250, () => handler(albGet, lambdaContext))));
        direct.push(...(await time(250, () => check(getReq))));
      }
    } finally {
      process.stdout.write = write;
    }

    // Cold start proxy.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-api-'));
    const root = path.join(__dirname, '..', '..');
    const hello = path.join(dir, 'hello.ts');
    fs.writeFileSync(
      hello,
      'export const handler = async () => ({ statusCode: 200, body: "hello" });\n',
    );
    const runner = path.join(dir, 'runner.js');
    fs.writeFileSync(
      runner,
      'const [bundle, event] = process.argv.slice(2);\n' +
        'import(bundle).then((m) => m.handler(JSON.parse(event), { functionName: "bench" })).then((r) => {\n' +
        '  process.stdout.write(JSON.stringify({ statusCode: r.statusCode }));\n  process.exit(0);\n});\n',
    );
    const apiBytes = bundle(
      path.join(root, 'lambda', 'content-api', 'handler.ts'),
      path.join(dir, 'api'),
    );
    bundle(hello, path.join(dir, 'hello'));
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      API_KEY_PEPPER: PEPPER,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const coldApi: number[] = [];
    const coldHello: number[] = [];
    for (let i = 0; i < 11; i++) {
      coldApi.push(coldRun(runner, path.join(dir, 'api', 'index.mjs'), albGet, env));
      coldHello.push(coldRun(runner, path.join(dir, 'hello', 'index.mjs'), albGet, env));
    }
    fs.rmSync(dir, { recursive: true, force: true });

    const fmt = (x: number) => x.toFixed(3);
    console.error(
      `GET entry   api p50 ${fmt(median(apiGet))} ms p99 ${fmt(percentile(apiGet, 99))} ms | bare p50 ${fmt(median(rawGet))} ms p99 ${fmt(percentile(rawGet, 99))} ms`,
    );
    console.error(
      `list of 50  api p50 ${fmt(median(apiList))} ms | bare p50 ${fmt(median(rawList))} ms`,
    );
    console.error(
      `10 clients  api ${apiConc.toFixed(0)} req/s | bare ${rawConc.toFixed(0)} req/s (mean of 5 rounds)`,
    );
    const handlerUs = (median(viaHandler) - median(direct)) * 1000;
    console.error(
      `Lambda handler  p50 ${fmt(median(viaHandler))} ms, its own share ${handlerUs.toFixed(0)} µs (ALB shapes, the EMF line)`,
    );
    console.error(
      `cold start  api ${median(coldApi).toFixed(0)} ms (${(apiBytes / 1024).toFixed(0)} KB) | hello ${median(coldHello).toFixed(0)} ms`,
    );
    console.log(
      `bench:api get_p50_ratio=${(median(apiGet) / median(rawGet)).toFixed(2)}` +
        ` get_p99_ratio=${(percentile(apiGet, 99) / percentile(rawGet, 99)).toFixed(2)}` +
        ` list_ratio=${(median(apiList) / median(rawList)).toFixed(2)}` +
        ` conc_ratio=${median(concRatios).toFixed(2)}` +
        ` handler_us=${handlerUs.toFixed(0)}` +
        ` cold_ratio=${(median(coldApi) / median(coldHello)).toFixed(2)}` +
        ` bundle_kb=${(apiBytes / 1024).toFixed(0)}`,
    );
  } finally {
    await pool.end();
    own?.stop();
  }
}

runMain(command, module);
