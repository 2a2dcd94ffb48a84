import type { ControlStatus } from './controls';
import type { ComplianceReport } from './report-model';
import { esc } from './report-html-values';

/** The statuses in the order the page lists them. */
export const STATUSES: readonly ControlStatus[] = ['enforced', 'partial', 'planned', 'inherited'];

/**
 * The pack (or plugin) an acknowledged rule belongs to: `AwsSolutions` for
 * `AwsSolutions-IAM5[...]`, `NIST.800.53.R5`, `cdk-validator-cfnguard` for
 * `cdk-validator-cfnguard::rule`, `@aws-cdk/aws-s3` for a CDK warning.
 */
export function packOf(full: string): string {
  // A rule's bracketed part names the finding (`[Resource::*]`), not the pack.
  const rule = full.replace(/\[.*$/, '');
  if (rule.includes('::')) return rule.slice(0, rule.indexOf('::'));
  if (rule.startsWith('@')) return rule.includes(':') ? rule.slice(0, rule.indexOf(':')) : rule;
  return rule.split('-')[0]!;
}

/** The stage a resource path of the assembly belongs to (its stack's stage). */
export function stageOfPath(r: ComplianceReport, resourcePath: string): string | undefined {
  return r.stages.find((s) => s.stacks.some((x) => resourcePath.startsWith(`${x.name}/`)))?.name;
}

const link = (id: string) => `<a href="#${esc(id)}">${esc(id)}</a>`;

function statusTable(r: ComplianceReport): string {
  const rows = STATUSES.map((status) => {
    const ids = r.controls.filter((c) => c.status === status).map((c) => link(c.id));
    return `<tr><th scope="row"><span class="status s-${status}">${status}</span></th><td class="num">${r.summary[status]}</td><td class="ids">${ids.join(' ') || '-'}</td></tr>`;
  });
  return `<table class="counts"><caption>Controls by status</caption><thead><tr><th>status</th><th>controls</th><th>which</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stageTable(r: ComplianceReport): string {
  const rows = r.stages.map(({ name }) => {
    const claims = r.controls.flatMap((c) => c.evidence.filter((e) => e.stage === name));
    const failing = claims.filter((e) => !e.ok).length;
    const controls = r.controls.filter((c) => c.evidence.some((e) => e.stage === name && !e.ok));
    return `<tr><th scope="row">${esc(name)}</th><td class="num">${claims.length - failing}</td><td class="num${failing ? ' bad' : ''}">${failing}</td><td class="ids">${controls.map((c) => link(c.id)).join(' ') || '-'}</td></tr>`;
  });
  return `<table class="counts"><caption>Template evidence per stage</caption><thead><tr><th>stage</th><th>claims holding</th><th>claims failing</th><th>controls with a failing claim</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function failureList(r: ComplianceReport): string {
  // One row per failing claim, its stages together: each names the resources that fail.
  const rows = r.controls.flatMap((c) => {
    const byClaim = new Map<string, { claim: string; stages: string[] }>();
    for (const e of c.evidence.filter((x) => !x.ok)) {
      const key = `${e.claim}\u0000${e.type}\u0000${e.stack}`;
      const which =
        e.failures.length > 0
          ? `does not hold for ${e.failures.map((f) => `<code>${esc(f.logicalId)}</code>`).join(', ')}`
          : `no <code>${esc(e.type)}</code> in ${esc(e.stack)} that the claim is about`;
      const row = byClaim.get(key) ?? { claim: e.claim, stages: [] };
      row.stages.push(`<li><b>${esc(e.stage)}</b>: ${which}</li>`);
      byClaim.set(key, row);
    }
    return [...byClaim.values()].map(
      (x) =>
        `<tr><td>${link(c.id)}</td><td>${esc(x.claim)}</td><td><ul>${x.stages.join('')}</ul></td></tr>`,
    );
  });
  if (rows.length === 0) return '<p id="evidence-failures">Evidence failures: none.</p>';
  return `<table id="evidence-failures" class="failures"><caption>Evidence failures (${r.summary.evidenceFailures} claims in ${rows.length} rows)</caption><thead><tr><th>control</th><th>claim</th><th>per stage</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function packTable(r: ComplianceReport): string {
  const stages = r.stages.map((s) => s.name);
  const counts = new Map<string, Map<string, number>>();
  for (const a of r.acknowledgements) {
    const pack = packOf(a.rule);
    const stage = stageOfPath(r, a.path) ?? '';
    const byStage = counts.get(pack) ?? new Map<string, number>();
    byStage.set(stage, (byStage.get(stage) ?? 0) + 1);
    counts.set(pack, byStage);
  }
  const rows = [...counts].map(
    ([pack, byStage]) =>
      `<tr><th scope="row">${esc(pack)}</th>${stages.map((s) => `<td class="num">${byStage.get(s) ?? 0}</td>`).join('')}<td class="num">${[...byStage.values()].reduce((a, b) => a + b, 0)}</td></tr>`,
  );
  return `<table class="counts"><caption>Acknowledged findings by pack (<a href="#acknowledgements">all ${r.acknowledgements.length}</a>)</caption><thead><tr><th>pack</th>${stages.map((s) => `<th>${esc(s)}</th>`).join('')}<th>total</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stackTable(r: ComplianceReport): string {
  const rows = r.stages.flatMap((s) =>
    s.stacks.map((x) => {
      const [, account = '', region = ''] = /^aws:\/\/([^/]*)\/(.*)$/.exec(x.environment) ?? [];
      return `<tr><td>${esc(s.name)}</td><td><code>${esc(x.name)}</code></td><td>${esc(account || x.environment)}</td><td>${esc(region)}</td><td>${x.terminationProtection ? 'on' : '<span class="off">off</span>'}</td></tr>`;
    }),
  );
  return `<table class="stacks"><caption>Stacks</caption><thead><tr><th>stage</th><th>stack</th><th>account</th><th>region</th><th>termination protection</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The summary at the top of the page: counts, failures, packs, stacks. */
export function summaryHtml(r: ComplianceReport): string {
  const findings =
    r.findings.length > 0
      ? `<p class="bad">Unresolved findings of a failed synthesis: <a href="#findings">${r.findings.length}</a>.</p>`
      : '';
  return `<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<p>${r.controls.length} controls: ${STATUSES.map((s) => `<b>${r.summary[s]}</b> ${s}`).join(', ')}. Evidence failures: <b class="${r.summary.evidenceFailures ? 'bad' : 'good'}">${r.summary.evidenceFailures}</b>. Rule packs on every stack of every stage: ${r.nagPacks.map(esc).join(', ')}, and CloudFormation validation; synthesis fails on any finding that is neither fixed nor acknowledged.</p>
${findings}<div class="grid">${statusTable(r)}${stageTable(r)}${packTable(r)}</div>
${failureList(r)}
${stackTable(r)}
</section>`;
}
