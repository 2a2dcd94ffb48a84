import { EXIT_USAGE, defineCommand, defineSpec, invoke, usageError } from '../cli';
import { CDK_JSON, stageArgument } from '../project-stages';
import { exitCode, formatTable, summary } from '../verify/report';
import type { CheckResult } from '../verify/types';
import { checkCachedEntry, checkOversizedBody, checkUnauthenticated } from './api';
import { judgeHeaders } from './headers';
import { DEFAULT_TIMEOUT_MS } from './http';
import { DEFAULT_SPACE, type SmokeTarget } from './target';
import {
  fetchHealth,
  fetchPlainHealth,
  judgeHealth,
  judgeLegacyHandshake,
  judgePlainHttp,
  legacyHandshake,
} from './transport';

/** Where `npm run smoke` reads its config, what it trusts and where it writes. */
export interface SmokeOptions {
  /** @default - the project's cdk.json */
  readonly cdkJson?: string;
  /** CA certificates to trust instead of node's roots (tests). */
  readonly ca?: string | Buffer;
  /** @default console.log */
  readonly stdout?: (text: string) => void;
  /** @default console.error */
  readonly stderr?: (text: string) => void;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The deadline of each request, in milliseconds. @default DEFAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** The pause between the cache check's reads, in milliseconds. @default 1000 */
  readonly retryDelayMs?: number;
}

/** The environment variable that holds the read key of the cache check. */
export const READ_KEY_ENV = 'SMOKE_READ_KEY';

/** Space ids as the API accepts them (API.md). */
const SPACE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The command line of `npm run smoke`. */
export const SMOKE_CLI = defineSpec({
  name: 'smoke',
  usage: '--stage <name> [--base-url <url>] [--http-url <url>] [--space <id>] [--json]',
  summary: 'Black-box checks of a deployed stage through its public domain, with no AWS access.',
  description: `TLS 1.2+ with a trusted certificate and legacy TLS refused, no plain HTTP, the security
headers, no API access without a key, a published entry served from CloudFront's cache
(needs $${READ_KEY_ENV}, a read key of the space; never printed) and an oversized body
refused by the WAF. Prints a PASS/FAIL/SKIP table (or a JSON array with --json).`,
  options: {
    stage: { type: 'string', value: 'name', required: true, description: 'the stage of cdk.json' },
    'base-url': {
      type: 'string',
      value: 'url',
      description: "the stage's https:// address (default: https://<the stage's domainName>)",
    },
    'http-url': {
      type: 'string',
      value: 'url',
      description: 'where plain HTTP is tried (default: http://<host of the base url>/)',
    },
    space: {
      type: 'string',
      value: 'id',
      env: 'SMOKE_SPACE',
      description: `the space of the API checks; without it they use ${DEFAULT_SPACE} and the cache check skips`,
    },
    json: { type: 'boolean', description: 'print the results as a JSON array' },
  },
  exitCodes: `0 every check passes or is skipped, 1 any failure, 2 the checks cannot run
(bad arguments, unknown stage, a base url that is not https://).`,
});

/** Reads a URL option, or says why it is not one of `protocol`. */
function urlOption(name: string, raw: string, protocol: 'https:' | 'http:'): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `--${name} ${raw} is not a URL`;
  }
  if (url.protocol !== protocol) return `--${name} must be a ${protocol}// URL, not ${raw}`;
  return url;
}

/** `text` with every occurrence of `secret` replaced, so a key can never be printed. */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** `npm run smoke`, with its config, trusted CA, environment and output as `options` say. */
export function smokeCommand(options: SmokeOptions = {}) {
  return defineCommand({
    ...SMOKE_CLI,
    run: async ({ values }, { stdout, stderr, env }) => {
      const chosen = stageArgument('smoke', values.stage, options.cdkJson ?? CDK_JSON);
      if ('problem' in chosen) {
        stderr(chosen.problem);
        return EXIT_USAGE;
      }
      const { cfg } = chosen;
      const baseUrl = urlOption(
        'base-url',
        values['base-url'] ?? `https://${cfg.domainName}`,
        'https:',
      );
      if (typeof baseUrl === 'string') return usageError(baseUrl);
      const httpUrl = urlOption(
        'http-url',
        values['http-url'] ?? `http://${baseUrl.host.replace(/:\d+$/, '')}/`,
        'http:',
      );
      if (typeof httpUrl === 'string') return usageError(httpUrl);
      if (values.space !== undefined && !SPACE_ID.test(values.space)) {
        return usageError(`--space ${values.space} is not a space id (${SPACE_ID.source})`);
      }
      const readKey = env[READ_KEY_ENV] || undefined;
      const target: SmokeTarget = {
        baseUrl,
        httpUrl,
        space: values.space,
        readKey,
        ca: options.ca,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        retryDelayMs: options.retryDelayMs ?? 1000,
      };
      stderr(
        `Smoke-testing stage ${cfg.name} at ${baseUrl.origin} (plain HTTP: ${httpUrl.origin})`,
      );
      const results = (await smokeStage(target)).map((r) => redactResult(r, readKey));
      stdout(values.json ? JSON.stringify(results, null, 2) : formatTable(results));
      stderr(summary(results));
      return exitCode(results);
    },
  });
}

function redactResult(result: CheckResult, secret: string | undefined): CheckResult {
  return {
    ...result,
    evidence: redact(result.evidence, secret),
    ...(result.fix !== undefined ? { fix: redact(result.fix, secret) } : {}),
  };
}

/**
 * Every smoke check of `target`, in report order: transport (ENC-TRANSIT), headers
 * (HDR-SECURE), no key (API-AUTHZ), cache (AVL-CDN), oversized body (WAF-EDGE). Never
 * rejects: a request that fails is its check's FAIL.
 */
export async function smokeStage(target: SmokeTarget): Promise<CheckResult[]> {
  const [health, legacy, plain, unauthenticated, cached, oversized] = await Promise.all([
    fetchHealth(target),
    legacyHandshake(target),
    fetchPlainHealth(target),
    checkUnauthenticated(target),
    checkCachedEntry(target),
    checkOversizedBody(target),
  ]);
  return [
    judgeHealth(target, health),
    judgeLegacyHandshake(target, legacy),
    judgePlainHttp(target, plain),
    ...judgeHeaders(health),
    unauthenticated,
    cached,
    oversized,
  ];
}

/** `npm run smoke` in-process: its exit code. */
export function run(argv: readonly string[], options: SmokeOptions = {}): Promise<number> {
  return invoke(smokeCommand(options), argv, options);
}
