import { createHash } from 'node:crypto';
import { ACKNOWLEDGEMENTS } from './acknowledgements';
import type { ComplianceReport } from './report-model';
import { PAGE_SCRIPT, PAGE_STYLE } from './report-html-assets';
import { controlHtml } from './report-html-controls';
import { STATUSES, stageOfPath, summaryHtml } from './report-html-summary';
import { esc } from './report-html-values';

/** A CSP source allowing exactly one inline element with this text. */
const hashSource = (text: string) =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The page's Content-Security-Policy: nothing may load (no network, no file besides the
 * page), and only the page's own inline style and script run, by their hashes.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hashSource(PAGE_SCRIPT)}`,
  `style-src ${hashSource(PAGE_STYLE)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function filterHtml(r: ComplianceReport): string {
  const option = (value: string, label: string) =>
    `<option value="${esc(value)}">${esc(label)}</option>`;
  return `<div id="filter" role="search" hidden>
<label>Search <input type="search" id="q" placeholder="control id, word, resource, rule" autocomplete="off"></label>
<label>Status <select id="status">${option('', 'any')}${STATUSES.map((s) => option(s, s)).join('')}${option('failing', 'with failing evidence')}</select></label>
<label>Stage <select id="stage">${option('', 'every stage')}${r.stages.map((s) => option(s.name, s.name)).join('')}</select></label>
<output id="shown" aria-live="polite"></output>
</div>
<p id="print-filter" class="print-only" hidden></p>`;
}

function acknowledgementsHtml(r: ComplianceReport): string {
  const rows = r.acknowledgements.map(
    (a) =>
      `<tr data-stage="${esc(stageOfPath(r, a.path) ?? '')}"><td><code>${esc(a.path)}</code></td><td><code>${esc(a.rule)}</code></td><td>${esc(a.reason)}</td></tr>`,
  );
  return `<section aria-labelledby="acknowledgements-title">
<h2 id="acknowledgements-title">Acknowledged findings (${r.acknowledgements.length})</h2>
<p>Each finding of a rule pack that a resource does not fix is acknowledged on that resource with its reason (lib/compliance/acknowledgements.ts, ${Object.keys(ACKNOWLEDGEMENTS).length} entries).</p>
<table id="acknowledgements"><thead><tr><th>resource</th><th>rule</th><th>reason</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

function findingsHtml(r: ComplianceReport): string {
  if (r.findings.length === 0) return '';
  const rows = r.findings.map(
    (f) =>
      `<tr><td><code>${esc(f.path)}</code></td><td><code>${esc(f.rule)}</code> (${esc(f.plugin)})</td><td>${esc(f.description)}</td></tr>`,
  );
  return `<section aria-labelledby="findings-title">
<h2 id="findings-title">Unresolved findings (${r.findings.length})</h2>
<table id="findings"><thead><tr><th>resource</th><th>rule</th><th>description</th></tr></thead><tbody>${rows.join('')}</tbody></table>
</section>`;
}

/**
 * The report as one self-contained HTML page that works offline from a file: a summary,
 * one collapsed row per control (anchored by its id, `report.html#ENC-REST`), the
 * acknowledged findings, a filter, and a print style sheet. Every value is escaped.
 */
export function toHtml(r: ComplianceReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(PAGE_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulwark compliance report</title>
<style>${PAGE_STYLE}</style>
</head><body>
<header>
<h1>Bulwark compliance report</h1>
<p>Stages: ${r.stages.map((s) => esc(s.name)).join(', ')}. Format <code>${esc(r.format)}</code>.</p>
<nav aria-label="Sections"><ul><li><a href="#summary">Summary</a></li><li><a href="#controls">Controls</a></li><li><a href="#acknowledgements">Acknowledged findings</a></li><li><a href="#cdk-internal">Resources deployed by aws-cdk-lib</a></li></ul></nav>
</header>
<main>
${summaryHtml(r)}
${filterHtml(r)}
<section id="controls" aria-labelledby="controls-title">
<h2 id="controls-title">Controls (${r.controls.length})</h2>
${r.controls.map(controlHtml).join('\n')}
</section>
${acknowledgementsHtml(r)}
${findingsHtml(r)}
<section id="cdk-internal" aria-labelledby="cdk-internal-title">
<h2 id="cdk-internal-title">Resources deployed by aws-cdk-lib</h2>
<ul>${r.cdkInternal.map((c) => `<li><b>${esc(c.resource)}</b>: ${esc(c.why)}</li>`).join('')}</ul>
</section>
</main>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
