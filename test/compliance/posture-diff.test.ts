import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type PostureDiff,
  postureDiff,
  postureDiffMarkdown,
  postureHeadline,
} from '../../lib/compliance/posture-diff';
import { type ComplianceReport, buildReport } from '../../lib/compliance/report';
import { invoke } from '../../scripts/lib/cli';
import { command as report } from '../../scripts/report';
import { copyOfSharedAssembly } from '../support/assembly-copy';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';

const ROOT = path.join(__dirname, '..', '..');
const DATA = 'Bulwark-Production-Data';
const APP = 'Bulwark-Production-App';

/** A copy of the shared assembly's manifest, templates and metadata, to edit. */
const copyAssembly = (): string => copyOfSharedAssembly('bulwark-posture-');

/** Rewrites one JSON file of the assembly at `dir`. */
function edit(dir: string, file: string, change: (json: any) => void): void {
  const full = path.join(dir, file);
  const json = JSON.parse(fs.readFileSync(full, 'utf8'));
  change(json);
  fs.writeFileSync(full, JSON.stringify(json));
}

/** The shared assembly's report against a copy edited by `change` (the pull request). */
function diffAgainst(change: (dir: string) => void): {
  diff: PostureDiff;
  current: ComplianceReport;
} {
  const dir = copyAssembly();
  change(dir);
  const current = buildReport(dir);
  return { diff: postureDiff(buildReport(SHARED_ASSEMBLY_DIR), current), current };
}

/** The proxy the ENC-TRANSIT claim on DB proxies is about, and that claim in Production. */
function proxyClaim(r: ComplianceReport) {
  const claim = r.controls
    .find((c) => c.id === 'ENC-TRANSIT')!
    .evidence.find((e) => e.type === 'AWS::RDS::DBProxy' && e.stage === 'Production')!;
  return { claim, proxy: [...claim.matches, ...claim.failures][0] };
}

const evidenceOf = (diff: PostureDiff, id: string) =>
  diff.controls.find((c) => c.id === id)?.evidence ?? [];

describe('posture diff', () => {
  const shared = buildReport(SHARED_ASSEMBLY_DIR);
  const { claim: sharedClaim, proxy } = proxyClaim(shared);
  const proxyRef = `${DATA}/${proxy.logicalId}`;

  it('is empty, and says so, for the same assembly and for an unedited copy', () => {
    const same = postureDiff(shared, buildReport(SHARED_ASSEMBLY_DIR));
    const { diff: copy } = diffAgainst(() => undefined);
    for (const diff of [same, copy]) {
      expect(diff.empty).toBe(true);
      expect(diff.controls).toEqual([]);
      expect(diff.acknowledgements).toEqual([]);
      expect(diff.findings).toEqual([]);
      expect(postureDiffMarkdown(diff)).toContain('No change to the security posture.');
    }
  });

  it('names the claim that a lost property breaks, its resource and the judged value', () => {
    const { diff } = diffAgainst((dir) =>
      edit(dir, `${DATA}.template.json`, (t) => {
        t.Resources[proxy.logicalId].Properties.RequireTLS = false;
      }),
    );
    expect(sharedClaim.matches.map((m) => m.logicalId)).toContain(proxy.logicalId);
    const [change] = evidenceOf(diff, 'ENC-TRANSIT').filter((e) => e.type === 'AWS::RDS::DBProxy');
    expect(change).toMatchObject({
      stage: 'Production',
      stack: 'Data',
      claim: sharedClaim.claim,
      ok: { before: sharedClaim.ok, after: false },
      resources: [{ resource: proxyRef, before: 'holds', after: 'fails', direction: 'weakens' }],
      values: [{ resource: proxyRef, property: 'RequireTLS', before: 'true', after: 'false' }],
    });
    expect(diff.controls[0]).toMatchObject({ id: 'ENC-TRANSIT', weakens: true });
    const md = postureDiffMarkdown(diff);
    expect(md).toContain('### ENC-TRANSIT (weakens)');
    expect(md).toContain(`\`${proxyRef}\` holds → fails: "${sharedClaim.claim}" (Production)`);
    expect(md).toContain(
      `| Production | \`${proxyRef}\` | \`RequireTLS\` | \`true\` | \`false\` |`,
    );
    if (sharedClaim.ok)
      expect(postureHeadline(diff)).toMatch(/ENC-TRANSIT \(evidence lost in Production/);
  });

  it('sets a property regained apart as strengthening', () => {
    const dir = copyAssembly();
    edit(dir, `${DATA}.template.json`, (t) => {
      t.Resources[proxy.logicalId].Properties.RequireTLS = false;
    });
    const diff = postureDiff(buildReport(dir), shared);
    const control = diff.controls.find((c) => c.id === 'ENC-TRANSIT')!;
    expect(control).toMatchObject({ weakens: false, strengthens: true });
    const md = postureDiffMarkdown(diff);
    const section = md.slice(md.indexOf('### ENC-TRANSIT'));
    expect(section).toMatch(/^### ENC-TRANSIT \(strengthens\)/);
    expect(section).toContain('**Strengthens**');
    expect(section).not.toContain('**Weakens**');
  });

  it('lists a resource that leaves a claim and one that joins it failing', () => {
    const { diff } = diffAgainst((dir) =>
      edit(dir, `${DATA}.template.json`, (t) => {
        const original = t.Resources[proxy.logicalId];
        Reflect.deleteProperty(t.Resources, proxy.logicalId);
        t.Resources.PlainProxy = {
          ...original,
          Properties: { ...original.Properties, RequireTLS: false },
        };
      }),
    );
    const [change] = evidenceOf(diff, 'ENC-TRANSIT').filter((e) => e.type === 'AWS::RDS::DBProxy');
    expect(change.resources).toEqual([
      expect.objectContaining({ resource: proxyRef, before: 'holds', after: 'absent' }),
      expect.objectContaining({
        resource: `${DATA}/PlainProxy`,
        before: 'absent',
        after: 'fails',
        properties: expect.objectContaining({ RequireTLS: 'false' }),
      }),
    ]);
    expect(change.resources.map((r) => r.direction)).toEqual(['weakens', 'weakens']);
    expect(change.values).toEqual([]);
    expect(postureDiffMarkdown(diff)).toContain(
      `\`${DATA}/PlainProxy\` absent → fails: "${sharedClaim.claim}" (Production) (\`RequireTLS: false\``,
    );
  });

  it('lists acknowledgements added, removed or given another reason, under their controls', () => {
    const [removed, reasoned] = shared.acknowledgements.filter((a) => a.path.startsWith(`${APP}/`));
    const owner = shared.controls.find((c) =>
      c.nagRules.some((r) => r.startsWith('AwsSolutions-')),
    )!;
    const addedRule = `${owner.nagRules.find((r) => r.startsWith('AwsSolutions-'))}[Resource::*]`;
    const { diff } = diffAgainst((dir) =>
      edit(dir, `${APP}.metadata.json`, (metadata: Record<string, any[]>) => {
        const ack = (p: string) =>
          metadata[`/${p}`].find((e) => e.type === 'aws:cdk:acknowledged-rules').data;
        Reflect.deleteProperty(ack(removed.path), `Annotation::${removed.rule}`);
        Reflect.deleteProperty(ack(removed.path), removed.rule);
        ack(reasoned.path)[reasoned.rule] = 'a reason the reviewer has not seen';
        ack(reasoned.path)[addedRule] = 'a new exception to review';
      }),
    );
    const byChange = Object.fromEntries(diff.acknowledgements.map((a) => [a.change, a]));
    expect(diff.acknowledgements).toHaveLength(3);
    expect(byChange.removed).toMatchObject({
      path: removed.path,
      rule: removed.rule,
      reason: { before: removed.reason, after: undefined },
      direction: 'strengthens',
    });
    expect(byChange.reason).toMatchObject({
      path: reasoned.path,
      rule: reasoned.rule,
      reason: { before: reasoned.reason, after: 'a reason the reviewer has not seen' },
      direction: 'neutral',
    });
    expect(byChange.added).toMatchObject({
      path: reasoned.path,
      rule: addedRule,
      direction: 'weakens',
    });
    expect(byChange.added.controls).toContain(owner.id);
    const control = diff.controls.find((c) => c.id === owner.id)!;
    expect(control.acknowledgements).toContainEqual(byChange.added);
    expect(control.weakens).toBe(true);
    const md = postureDiffMarkdown(diff);
    expect(md).toContain(
      `acknowledgement added: \`${reasoned.path}\` \`${addedRule}\`: a new exception to review`,
    );
    expect(md).toContain(`acknowledgement removed: \`${removed.path}\` \`${removed.rule}\``);
    expect(md).toContain('→ "a reason the reviewer has not seen"');
    expect(postureHeadline(diff)).toContain(`${owner.id} (1 acknowledgement added`);
  });

  it('lists an unresolved finding that appeared', () => {
    const { diff } = diffAgainst((dir) =>
      fs.writeFileSync(
        path.join(dir, 'validation-report.json'),
        JSON.stringify({
          pluginReports: [
            {
              pluginName: 'AwsSolutions',
              violations: [
                {
                  ruleName: 'AwsSolutions-S1',
                  description: 'The S3 Bucket has server access logs disabled.',
                  violatingConstructs: [{ constructPath: `${DATA}/AssetsBucket/Resource` }],
                },
              ],
            },
          ],
        }),
      ),
    );
    expect(diff.findings).toEqual([
      expect.objectContaining({
        change: 'added',
        rule: 'AwsSolutions-S1',
        path: `${DATA}/AssetsBucket/Resource`,
        direction: 'weakens',
      }),
    ]);
    expect(postureHeadline(diff)).toContain('1 unresolved finding added');
    expect(postureDiffMarkdown(diff)).toContain(
      `unresolved finding added: \`AwsSolutions-S1\` at \`${DATA}/AssetsBucket/Resource\``,
    );
  });

  it('names a stack that loses termination protection and a stack that is gone', () => {
    const gone = 'Bulwark-Staging-DeployAccess';
    const { diff } = diffAgainst((dir) =>
      edit(dir, 'manifest.json', (m) => {
        m.artifacts[DATA].properties.terminationProtection = false;
        Reflect.deleteProperty(m.artifacts, gone);
        for (const a of Object.values<any>(m.artifacts))
          if (a.dependencies) a.dependencies = a.dependencies.filter((d: string) => d !== gone);
      }),
    );
    expect(diff.stacks.changed).toEqual([
      {
        stage: 'Production',
        name: DATA,
        terminationProtection: { before: true, after: false },
        direction: 'weakens',
      },
    ]);
    expect(diff.stacks.removed.map((s) => s.name)).toEqual([gone]);
    expect(postureHeadline(diff)).toContain(`termination protection dropped on ${DATA}`);
    expect(postureDiffMarkdown(diff)).toContain(`stack removed: \`${gone}\` (Staging`);
  });
});

describe('npm run report --baseline', () => {
  const script = path.join(ROOT, 'scripts', 'report.ts');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });

  it('writes posture-diff.json and posture-diff.md and prints the headline', () => {
    const dir = copyAssembly();
    edit(dir, `${DATA}.template.json`, (t) => {
      for (const r of Object.values<any>(t.Resources))
        if (r.Type === 'AWS::RDS::DBProxy') r.Properties.RequireTLS = false;
    });
    const cli = run('--assembly', dir, '--baseline', SHARED_ASSEMBLY_DIR);
    const current = buildReport(dir);
    expect(cli.status).toBe(current.summary.evidenceFailures > 0 ? 1 : 0);
    const json = JSON.parse(
      fs.readFileSync(path.join(dir, 'compliance', 'posture-diff.json'), 'utf8'),
    ) as PostureDiff;
    expect(json).toEqual(postureDiff(buildReport(SHARED_ASSEMBLY_DIR), current));
    expect(fs.readFileSync(path.join(dir, 'compliance', 'posture-diff.md'), 'utf8')).toBe(
      postureDiffMarkdown(json),
    );
    expect(cli.stdout).toContain(postureHeadline(json));
    expect(cli.stdout).toContain('ENC-TRANSIT');

    const again = run('--assembly', dir);
    expect(again.status).toBe(cli.status);
    expect(fs.existsSync(path.join(dir, 'compliance', 'posture-diff.md'))).toBe(false);
  });

  it.each([
    ['a missing directory', () => path.join(os.tmpdir(), 'bulwark-no-such-assembly')],
    ['a directory without manifest.json', () => fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-'))],
    [
      'an assembly without Bulwark stacks',
      () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-'));
        fs.writeFileSync(
          path.join(dir, 'manifest.json'),
          JSON.stringify({ version: '41.0.0', artifacts: {} }),
        );
        return dir;
      },
    ],
  ])('rejects %s as --baseline with exit 2 naming it, without a stack trace', (_, make) => {
    const bad = make();
    const dir = copyAssembly();
    const cli = run('--assembly', dir, '--baseline', bad);
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`report: --baseline ${bad} `);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'compliance'))).toBe(false);
  });

  it('rejects an --assembly that is not a cloud assembly with exit 2 naming it', async () => {
    const err: string[] = [];
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-'));
    const code = await invoke(report, ['--assembly', bad], {
      stdout: () => undefined,
      stderr: (t) => err.push(t),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(`--assembly ${bad} is not a cloud assembly`);
  });

  it('explains --baseline and the posture diff in --help', async () => {
    const out: string[] = [];
    expect(await invoke(report, ['--help'], { stdout: (t) => out.push(t) })).toBe(0);
    const help = out.join('\n');
    expect(help).toContain('[--baseline <dir>]');
    expect(help).toMatch(/--baseline <dir>\s+a cloud assembly to compare with/);
    expect(help).toContain('posture-diff.md');
  });
});
