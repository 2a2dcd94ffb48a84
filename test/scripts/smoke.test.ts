import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../../scripts/lib/cli';
import { API_CHECKS } from '../../scripts/lib/smoke/api';
import { HEADER_RULES } from '../../scripts/lib/smoke/headers';
import { SMOKE_CLI, run } from '../../scripts/lib/smoke/run';
import type { SmokeTarget } from '../../scripts/lib/smoke/target';
import { TRANSPORT_CHECKS, judgeLegacyHandshake } from '../../scripts/lib/smoke/transport';
import type { CheckResult } from '../../scripts/lib/verify/types';
import {
  EDGE_READ_KEY,
  EDGE_SPACE,
  type Edge,
  type EdgeDefects,
  type TestCertificate,
  closedPort,
  makeCertificate,
  startEdge,
  startSilentServer,
} from '../support/smoke-edge';

let certificate: TestCertificate;
beforeAll(() => {
  certificate = makeCertificate();
});
afterAll(() => certificate.remove());

const running: Edge[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

const KEYED_ENV = { SMOKE_READ_KEY: EDGE_READ_KEY, SMOKE_SPACE: EDGE_SPACE };

/** Runs `npm run smoke` in-process against `argv`, trusting the test certificate. */
async function smoke(argv: string[], env: NodeJS.ProcessEnv = KEYED_ENV, timeoutMs = 5000) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    ca: certificate.cert,
    env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    timeoutMs,
    retryDelayMs: 10,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Runs the smoke checks against an edge with `defects`, with --json. */
async function smokeEdge(defects: EdgeDefects = {}, env: NodeJS.ProcessEnv = KEYED_ENV) {
  const edge = await startEdge(certificate, defects);
  running.push(edge);
  const result = await smoke(
    ['--stage', 'staging', '--base-url', edge.baseUrl, '--http-url', edge.httpUrl, '--json'],
    env,
  );
  const results = JSON.parse(result.stdout) as CheckResult[];
  return { ...result, results };
}

const failing = (results: readonly CheckResult[]) =>
  results.filter((r) => r.result === 'FAIL').map((r) => r.check);
const byCheck = (results: readonly CheckResult[], check: string) =>
  results.find((r) => r.check === check)!;

const ALL_CHECKS = [
  TRANSPORT_CHECKS.health,
  TRANSPORT_CHECKS.legacyTls,
  TRANSPORT_CHECKS.plainHttp,
  ...HEADER_RULES.map((r) => r.check),
  API_CHECKS.unauthenticated,
  API_CHECKS.cached,
  API_CHECKS.oversized,
];

describe('npm run smoke against a compliant edge', () => {
  it('passes every check with a control id and evidence, and exits 0', async () => {
    const { code, results, stderr } = await smokeEdge();

    expect(failing(results)).toEqual([]);
    expect(results.map((r) => r.check)).toEqual(ALL_CHECKS);
    expect(results.every((r) => r.result === 'PASS')).toBe(true);
    expect(code).toBe(EXIT_OK);
    expect(new Set(results.map((r) => r.control))).toEqual(
      new Set(['ENC-TRANSIT', 'HDR-SECURE', 'API-AUTHZ', 'AVL-CDN', 'WAF-EDGE']),
    );
    expect(byCheck(results, TRANSPORT_CHECKS.health).evidence).toMatch(/over TLSv1\.[23]/);
    expect(byCheck(results, TRANSPORT_CHECKS.legacyTls).evidence).toMatch(
      /^localhost:\d+ refused TLS 1\.0\/1\.1: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: tlsv1 alert protocol version$/,
    );
    expect(byCheck(results, TRANSPORT_CHECKS.plainHttp).evidence).toContain(
      '301 to https://localhost/health',
    );
    expect(byCheck(results, API_CHECKS.cached).evidence).toContain(
      'X-Cache seen: 200 Miss from cloudfront, 200 Hit from cloudfront',
    );
    expect(stderr).toContain('12 checks: 12 PASS, 0 FAIL, 0 SKIP');
  });

  it('prints a table without --json, the fix under each failure', async () => {
    const edge = await startEdge(certificate, { server: 'nginx/1.25' });
    running.push(edge);
    const { code, stdout } = await smoke([
      '--stage',
      'staging',
      '--base-url',
      edge.baseUrl,
      '--http-url',
      edge.httpUrl,
    ]);
    expect(code).toBe(EXIT_FAILED);
    expect(stdout.split('\n')[0]).toMatch(/^CONTROL\s+CHECK\s+RESULT\s+EVIDENCE$/);
    expect(stdout).toMatch(/HDR-SECURE .* FAIL +reveals Server: nginx\/1\.25\n +fix: /);
  });

  it('skips the cache check, saying what it needs, without SMOKE_READ_KEY', async () => {
    const { code, results } = await smokeEdge({}, { SMOKE_SPACE: EDGE_SPACE });
    const cached = byCheck(results, API_CHECKS.cached);
    expect(cached.result).toBe('SKIP');
    expect(cached.evidence).toBe('needs SMOKE_READ_KEY (a read key of the space)');
    expect(code).toBe(EXIT_OK);
  });

  it('skips the cache check without a space, and uses space smoke for the others', async () => {
    const { code, results } = await smokeEdge({}, { SMOKE_READ_KEY: EDGE_READ_KEY });
    expect(byCheck(results, API_CHECKS.cached)).toMatchObject({
      result: 'SKIP',
      evidence: 'needs --space or SMOKE_SPACE',
    });
    expect(byCheck(results, API_CHECKS.unauthenticated).evidence).toContain(
      '/v1/spaces/smoke/entries',
    );
    expect(code).toBe(EXIT_OK);
  });
});

describe('npm run smoke against a defective edge fails exactly the broken check', () => {
  const hstsCheck = HEADER_RULES[0].check;
  const cases: Array<[string, EdgeDefects, string, RegExp]> = [
    ['no HSTS', { hsts: null }, hstsCheck, /Strict-Transport-Security missing/],
    [
      'a short HSTS max-age',
      { hsts: 'max-age=300; includeSubDomains' },
      hstsCheck,
      /max-age=300 is below 63072000/,
    ],
    [
      'HSTS without includeSubDomains',
      { hsts: 'max-age=63072000' },
      hstsCheck,
      /no includeSubDomains/,
    ],
    [
      'a different CSP',
      { csp: "default-src 'self'" },
      HEADER_RULES[4].check,
      /Content-Security-Policy is "default-src 'self'"/,
    ],
    ['Server: nginx', { server: 'nginx' }, HEADER_RULES[5].check, /reveals Server: nginx/],
    [
      '200 over plain HTTP',
      { plainHttpServes: true },
      TRANSPORT_CHECKS.plainHttp,
      /: 200 \(served over plain HTTP\)/,
    ],
    [
      'entries without a key',
      { unauthenticatedOk: true },
      API_CHECKS.unauthenticated,
      /: 200 .*expected 401/,
    ],
    [
      'never a cache hit',
      { neverHit: true },
      API_CHECKS.cached,
      /no cache hit in 3 reads.*Miss from cloudfront, 200 Miss from cloudfront, 200 Miss from cloudfront/,
    ],
    [
      'no published entry',
      { noEntries: true },
      API_CHECKS.cached,
      /no published entry in space smoke-space/,
    ],
    [
      "the API's 413 instead of the WAF's",
      { apiTooLarge: true },
      API_CHECKS.oversized,
      /413 .*The body must be at most 1 MiB.*from the WAF/,
    ],
  ];

  it.each(cases)('%s', async (_name, defects, check, evidence) => {
    const { code, results } = await smokeEdge(defects);
    expect(failing(results)).toEqual([check]);
    expect(byCheck(results, check).evidence).toMatch(evidence);
    expect(code).toBe(EXIT_FAILED);
  });

  it('a server that accepts TLS 1.1 (negotiated by this node and OpenSSL)', async () => {
    const { code, results } = await smokeEdge({ legacyTls: true });
    expect(failing(results)).toEqual([TRANSPORT_CHECKS.legacyTls]);
    expect(byCheck(results, TRANSPORT_CHECKS.legacyTls)).toMatchObject({
      evidence: expect.stringMatching(/completed a handshake at TLSv1\.1$/),
      fix: expect.stringContaining('TLS_V1_2_2025'),
    });
    expect(code).toBe(EXIT_FAILED);
  });
});

describe('npm run smoke when the stage does not answer', () => {
  it('fails every check on a refused connection, passing only "plain HTTP refused"', async () => {
    const port = await closedPort();
    const { code, results } = await (async () => {
      const r = await smoke([
        '--stage',
        'staging',
        '--base-url',
        `https://127.0.0.1:${port}`,
        '--http-url',
        `http://127.0.0.1:${port}/`,
        '--json',
      ]);
      return { ...r, results: JSON.parse(r.stdout) as CheckResult[] };
    })();
    expect(code).toBe(EXIT_FAILED);
    expect(byCheck(results, TRANSPORT_CHECKS.plainHttp)).toMatchObject({
      result: 'PASS',
      evidence: expect.stringContaining('connection refused'),
    });
    expect(failing(results)).toEqual(ALL_CHECKS.filter((c) => c !== TRANSPORT_CHECKS.plainHttp));
    expect(byCheck(results, TRANSPORT_CHECKS.health).evidence).toContain('ECONNREFUSED');
  });

  it('fails every check with ETIMEDOUT when the server never answers', async () => {
    const silent = await startSilentServer();
    try {
      const r = await smoke(
        [
          '--stage',
          'staging',
          '--base-url',
          `https://127.0.0.1:${silent.port}`,
          '--http-url',
          `http://127.0.0.1:${silent.port}/`,
          '--json',
        ],
        KEYED_ENV,
        300,
      );
      const results = JSON.parse(r.stdout) as CheckResult[];
      expect(failing(results)).toEqual(ALL_CHECKS);
      expect(byCheck(results, TRANSPORT_CHECKS.health).evidence).toContain(
        'ETIMEDOUT: no answer within 300 ms',
      );
      expect(byCheck(results, TRANSPORT_CHECKS.legacyTls).evidence).toContain('ETIMEDOUT');
      expect(r.code).toBe(EXIT_FAILED);
    } finally {
      await silent.close();
    }
  });

  it('fails the TLS check for a certificate node does not trust', async () => {
    const edge = await startEdge(certificate);
    running.push(edge);
    const out: string[] = [];
    const code = await run(
      ['--stage', 'staging', '--base-url', edge.baseUrl, '--http-url', edge.httpUrl, '--json'],
      { env: {}, stdout: (t) => out.push(t), stderr: () => undefined, timeoutMs: 5000 },
    );
    const results = JSON.parse(out.join('\n')) as CheckResult[];
    expect(code).toBe(EXIT_FAILED);
    expect(byCheck(results, TRANSPORT_CHECKS.health).evidence).toMatch(/self[- ]signed/i);
  });
});

describe('the legacy-TLS judgement', () => {
  const target = { baseUrl: new URL('https://content.example.com') } as SmokeTarget;
  it('passes a refused handshake and fails an accepted or unanswered one', () => {
    expect(judgeLegacyHandshake(target, { kind: 'refused', reason: 'EPROTO' }).result).toBe('PASS');
    expect(judgeLegacyHandshake(target, { kind: 'accepted', protocol: 'TLSv1.1' }).evidence).toBe(
      'content.example.com completed a handshake at TLSv1.1',
    );
    expect(judgeLegacyHandshake(target, { kind: 'unreachable', reason: 'ENOTFOUND' }).result).toBe(
      'FAIL',
    );
  });
});

describe('the read key', () => {
  it('never appears in stdout or stderr, as a table or as JSON, passing or failing', async () => {
    const outputs: string[] = [];
    for (const defects of [{}, { echoAuthorization: true, neverHit: true }]) {
      for (const json of [true, false]) {
        const edge = await startEdge(certificate, defects);
        running.push(edge);
        const r = await smoke([
          '--stage',
          'staging',
          '--base-url',
          edge.baseUrl,
          '--http-url',
          edge.httpUrl,
          ...(json ? ['--json'] : []),
        ]);
        outputs.push(r.stdout, r.stderr);
      }
    }
    expect(outputs.join('\n')).toContain('AVL-CDN');
    expect(outputs.join('\n')).not.toContain(EDGE_READ_KEY);
  });
});

describe('npm run smoke command line', () => {
  it('--help exits 0 with the usage', async () => {
    const r = await smoke(['--help']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toContain(
      'usage: npm run smoke -- --stage <name> [--base-url <url>] [--http-url <url>] [--space <id>] [--json]',
    );
    expect(r.stdout).toContain(SMOKE_CLI.summary);
  });

  it.each([
    [['--stage', 'staging', '--bogus'], 'smoke: unknown option --bogus (see --help)'],
    [[], 'smoke: --stage is required (see --help)'],
    [
      ['--stage', 'staging', '--base-url', 'http://content.example.com'],
      'smoke: --base-url must be a https:// URL, not http://content.example.com (see --help)',
    ],
    [['--stage', 'staging', '--base-url', 'not a url'], 'smoke: --base-url not a url is not a URL'],
    [
      ['--stage', 'staging', '--http-url', 'https://x.example.com'],
      'smoke: --http-url must be a http:// URL',
    ],
    [['--stage', 'staging', '--space', '../keys'], 'smoke: --space ../keys is not a space id'],
    [['--stage', 'nope'], 'smoke: no stage nope in cdk.json (stages: staging, production)'],
  ])('%j exits 2', async (argv, message) => {
    const r = await smoke(argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });
});
