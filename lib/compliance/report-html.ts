import { ACKNOWLEDGEMENTS } from './acknowledgements';
import type { ComplianceReport } from './report-model';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** The report as one self-contained HTML page (no external assets; printable). */
export function toHtml(r: ComplianceReport): string {
  const rows = r.controls
    .map(
      (c) =>
        `<tr class="${c.ok ? '' : 'fail'}"><td><b>${esc(c.id)}</b><br>${esc(c.statement)}</td><td class="s-${c.status}">${c.status}${
          c.gap ? `<br><small>${esc(c.gap)}</small>` : ''
        }</td><td>${c.iso27001.map(esc).join('<br>')}</td><td>${c.implementedBy.map(esc).join('<br>')}</td><td>${
          c.evidence
            .map(
              (e) =>
                `${e.ok ? '✓' : '✗'} <b>${esc(e.stage)}</b> ${esc(e.claim)}<br><small>${esc(e.type)}: ${
                  e.matches
                    .map(
                      (m) =>
                        `${esc(`${m.stack}/${m.logicalId}`)} <code>${Object.entries(m.properties)
                          .map(([k, v]) => esc(`${k}=${v}`))
                          .join(' ')}</code>`,
                    )
                    .join('; ') || 'none'
                }</small>`,
            )
            .join('<br>') || '-'
        }</td><td>${c.nagRules.map(esc).join('<br>') || '-'}</td><td>${c.tests.map(esc).join('<br>') || '-'}</td></tr>`,
    )
    .join('\n');
  const acks = r.acknowledgements
    .map(
      (a) =>
        `<tr><td><code>${esc(a.path)}</code></td><td>${esc(a.rule)}</td><td>${esc(a.reason)}</td></tr>`,
    )
    .join('\n');
  const stacks = r.stages
    .map(
      (s) =>
        `<li><b>${esc(s.name)}</b>: ${s.stacks.map((x) => `${esc(x.name)} (${esc(x.environment)}${x.terminationProtection ? ', termination-protected' : ''})`).join('; ')}</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bulwark compliance report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse;width:100%;margin:1rem 0}
table{table-layout:fixed}th,td{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}th{background:#f3f3f3}
col.w1{width:15%}col.w2{width:8%}col.w3{width:12%}col.w4{width:11%}col.w5{width:30%}col.w6{width:12%}col.w7{width:12%}
tr.fail td{background:#fde8e8}.s-enforced{color:#066}.s-partial{color:#850}.s-planned{color:#666}.s-inherited{color:#246}
small{color:#555}code{font-size:12px}@media print{body{margin:0}}
</style></head><body>
<h1>Bulwark compliance report</h1>
<p>Controls: <b>${r.summary.enforced}</b> enforced, <b>${r.summary.partial}</b> partial, <b>${r.summary.planned}</b> planned,
<b>${r.summary.inherited}</b> inherited. Evidence failures: <b>${r.summary.evidenceFailures}</b>.</p>
<p>Rule packs on every stack of every stage: ${r.nagPacks.map(esc).join(', ')}, and CloudFormation validation. Synthesis fails on any finding that is neither fixed nor acknowledged below.</p>
<ul>${stacks}</ul>
<h2>Controls</h2>
<table><colgroup><col class="w1"><col class="w2"><col class="w3"><col class="w4"><col class="w5"><col class="w6"><col class="w7"></colgroup>
<tr><th>control</th><th>status</th><th>ISO/IEC 27001:2022 Annex A</th><th>implemented by</th><th>template evidence</th><th>nag rules</th><th>tests</th></tr>
${rows}
</table>
<h2>Acknowledged findings (${r.acknowledgements.length})</h2>
<table><tr><th>resource</th><th>finding</th><th>reason</th></tr>
${acks}
</table>
<h2>Resources deployed by aws-cdk-lib</h2>
<ul>${r.cdkInternal.map((c) => `<li><b>${esc(c.resource)}</b>: ${esc(c.why)}</li>`).join('')}</ul>
<p><small>Format ${esc(r.format)}. Reasons come from lib/compliance/acknowledgements.ts (${Object.keys(ACKNOWLEDGEMENTS).length} entries).</small></p>
</body></html>
`;
}
