/**
 * Runs each live tool (`npm run verify`, `preflight`, `smoke`, `drift`) in process against
 * the compliant world its own tests use, and returns every check it reported. Nothing
 * reaches AWS or the network: verify, preflight and drift answer from mocked clients,
 * smoke talks to a local TLS edge.
 *
 * Verify, preflight and drift each mock the same SDK client classes (CloudFormation, STS,
 * ...), and a second `mockClient` of a class replaces the first. So each of them loads
 * in a module registry of its own (`jest.isolateModulesAsync`), with its own copy of the
 * SDK, and its mocks answer only its own run.
 */
import type { LiveTool } from '../../lib/compliance/controls';
import { run as runSmoke } from '../../scripts/lib/smoke/run';
import type { CheckResult } from '../../scripts/lib/verify/types';
import { EDGE_READ_KEY, EDGE_SPACE, makeCertificate, startEdge } from './smoke-edge';
import { SHARED_ASSEMBLY_DIR } from './paths';

/** One check a live tool reported: the tool, and the control and check of its result. */
export interface EmittedCheck {
  readonly tool: LiveTool;
  readonly control: string;
  readonly check: string;
}

/** The stages whose compliant worlds run (production uses Shield Advanced and SAML). */
const STAGES = ['staging', 'production'] as const;

const emitted = (tool: LiveTool, results: readonly CheckResult[]): EmittedCheck[] =>
  results.map(({ control, check }) => ({ tool, control, check }));

/** Loads `load` in a fresh module registry and runs `use` on it there. */
async function isolated<M, T>(load: () => Promise<M>, use: (m: M) => Promise<T>): Promise<T> {
  let out: { value: T } | undefined;
  await jest.isolateModulesAsync(async () => {
    out = { value: await use(await load()) };
  });
  if (!out) throw new Error('the isolated run returned nothing');
  return out.value;
}

/** Fails unless a run of a compliant world exited 0 (every check PASS or SKIP). */
function requireExit0(tool: LiveTool, stage: string, code: number, stderr: string): void {
  if (code !== 0) {
    throw new Error(`${tool} --stage ${stage} exited ${code} on its compliant world:\n${stderr}`);
  }
}

/** `npm run verify` on the compliant account of each stage (`test/scripts/verify/fixtures.ts`). */
export function verifyChecks(): Promise<EmittedCheck[]> {
  return isolated(
    () => import('../scripts/verify/fixtures'),
    async (world) => {
      const all: EmittedCheck[] = [];
      for (const stage of STAGES) {
        world.answerFrom(world.compliantWorld(world.stageConfig(stage)));
        const r = await world.verify(['--stage', stage]);
        requireExit0('verify', stage, r.code, r.stderr);
        all.push(...emitted('verify', r.results));
      }
      return all;
    },
  );
}

/**
 * `npm run preflight` on a bootstrapped account with room for each stage
 * (`test/scripts/preflight/world.ts`), against the shared cloud assembly; the SAML
 * metadata URL answers with the world's identity-provider metadata.
 */
export function preflightChecks(): Promise<EmittedCheck[]> {
  return isolated(
    () => import('../scripts/preflight/world'),
    async (world) => {
      const fetchSpy = jest
        .spyOn(globalThis, 'fetch')
        .mockImplementation(async () => new Response(world.IDP_METADATA, { status: 200 }));
      try {
        const all: EmittedCheck[] = [];
        for (const stage of STAGES) {
          world.answerFrom(world.readyWorld(world.stageConfig(stage)));
          const r = await world.preflight([
            '--stage',
            stage,
            '--assembly',
            SHARED_ASSEMBLY_DIR,
            '--json',
          ]);
          requireExit0('preflight', stage, r.code, r.stderr);
          all.push(...emitted('preflight', r.results() as CheckResult[]));
        }
        return all;
      } finally {
        fetchSpy.mockRestore();
      }
    },
  );
}

/** `npm run drift` on staging with every stack in sync (`test/support/drift-world.ts`). */
export function driftChecks(): Promise<EmittedCheck[]> {
  return isolated(
    () => import('./drift-world'),
    async (world) => {
      world.answerWith();
      const r = await world.drift(['--stage', 'staging', '--json']);
      requireExit0('drift', 'staging', r.code, r.stderr);
      return emitted('drift', world.parsed(r).results);
    },
  );
}

/**
 * `npm run smoke` of staging against a compliant local edge (`test/support/smoke-edge.ts`)
 * with a read key, so the cache check runs too.
 */
export async function smokeChecks(): Promise<EmittedCheck[]> {
  const certificate = makeCertificate();
  const edge = await startEdge(certificate);
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSmoke(
      ['--stage', 'staging', '--base-url', edge.baseUrl, '--http-url', edge.httpUrl, '--json'],
      {
        ca: certificate.cert,
        env: { SMOKE_READ_KEY: EDGE_READ_KEY, SMOKE_SPACE: EDGE_SPACE },
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        timeoutMs: 5000,
        retryDelayMs: 10,
      },
    );
    requireExit0('smoke', 'staging', code, err.join('\n'));
    return emitted('smoke', JSON.parse(out.join('\n')) as CheckResult[]);
  } finally {
    await edge.close();
    certificate.remove();
  }
}

/** Every check each live tool reports on its compliant worlds. */
export async function allEmittedChecks(): Promise<EmittedCheck[]> {
  // One after another: the isolated registries must not overlap.
  const verify = await verifyChecks();
  const preflight = await preflightChecks();
  const drift = await driftChecks();
  const smoke = await smokeChecks();
  return [...verify, ...preflight, ...drift, ...smoke];
}
