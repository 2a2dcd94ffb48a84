import { stackName } from '../stage-layout';
import type { ComplianceReport, EvidenceMatch, EvidenceResult } from './report-model';
import { esc, propertiesHtml, valueHtml } from './report-html-values';

type ReportControl = ComplianceReport['controls'][number];

/** One claim of a control, as judged in each stage. */
interface Claim {
  readonly first: EvidenceResult;
  readonly perStage: EvidenceResult[];
}

/** The control's evidence grouped by claim (the n-th claim of each stage is one claim). */
function claimsOf(c: ReportControl): Claim[] {
  const claims: Claim[] = [];
  const seen = new Map<string, number>();
  for (const e of c.evidence) {
    const key = `${e.stage}\u0000${e.claim}\u0000${e.type}\u0000${e.stack}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    const same = claims.filter(
      (x) => x.first.claim === e.claim && x.first.type === e.type && x.first.stack === e.stack,
    );
    const claim = same[nth];
    if (claim) claim.perStage.push(e);
    else claims.push({ first: e, perStage: [e] });
  }
  return claims;
}

const quantified = (e: EvidenceResult) =>
  e.quantifier === 'some'
    ? `at least one <code>${esc(e.type)}</code> of the ${esc(e.stack)} stack`
    : `every <code>${esc(e.type)}</code> of the ${esc(e.stack)} stack that the claim is about`;

const resources = (n: number) => (n === 1 ? '1 resource' : `${n} resources`);

function verdict(e: EvidenceResult): string {
  if (e.accountService)
    return `taken from the account (<code>${esc(e.accountService.key)}: "${esc(e.accountService.mode)}"</code>): the stage creates none, so no template proves it; its live checks check the account's own`;
  if (e.notChosen)
    return `not chosen by this stage (<code>${esc(e.notChosen.key)}: ${esc(JSON.stringify(e.notChosen.value))}</code>): it has none of these resources, and none is judged`;
  const total = e.matches.length + e.failures.length;
  if (total === 0) return `fails: no ${esc(e.type)} in the stack that the claim is about`;
  if (e.quantifier === 'some')
    return e.ok
      ? `holds: ${e.matches.length} of ${resources(total)}`
      : `fails: none of ${resources(total)}`;
  return e.ok
    ? `holds: ${total === 1 ? 'the one resource' : `all ${total} resources`}`
    : `fails: ${e.failures.length} of ${resources(total)} ${e.failures.length === 1 ? 'does' : 'do'} not hold`;
}

const resourceRow = (m: EvidenceMatch, ok: boolean) =>
  `<tr class="${ok ? 'holds' : 'fails'}"><td><span class="mark">${ok ? '✓' : '✗'}</span> <code>${esc(m.stack)}/${esc(m.logicalId)}</code></td><td>${propertiesHtml(m.properties)}</td></tr>`;

function stageEvidence(e: EvidenceResult): string {
  const rows = [
    ...e.failures.map((m) => resourceRow(m, false)),
    ...e.matches.map((m) => resourceRow(m, true)),
  ];
  const table =
    rows.length > 0
      ? `<table class="resources"><thead><tr><th>resource</th><th>judged values</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '';
  return `<div class="ev ${e.ok ? 'ok' : 'fail'}" data-stage="${esc(e.stage)}"><p class="verdict"><b>${esc(e.stage)}</b> <code>${esc(stackName(e.stage, e.stack))}</code> ${verdict(e)}</p>${table}</div>`;
}

function claimHtml(claim: Claim): string {
  return `<div class="claim"><p class="claim-text"><b>${esc(claim.first.claim)}</b>: ${quantified(claim.first)}</p>${claim.perStage.map(stageEvidence).join('')}</div>`;
}

const list = (items: readonly string[], empty = 'none') =>
  items.length === 0 ? `<i>${empty}</i>` : `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;

function liveChecks(c: ReportControl): string {
  if (c.verifiedBy && c.verifiedBy.length > 0)
    return list(c.verifiedBy.map((v) => `<code>${esc(v.tool)}</code>: ${esc(v.check)}`));
  if (c.liveGap) return `No live check: ${esc(c.liveGap)}`;
  return '<i>No live check listed</i>';
}

function facts(c: ReportControl): string {
  const rows: [string, string][] = [
    ['Implemented by', list(c.implementedBy.map((x) => `<code>${esc(x)}</code>`))],
    ['Tests', list(c.tests.map((x) => `<code>${esc(x)}</code>`))],
    ['Live checks', liveChecks(c)],
    ['ISO/IEC 27001:2022 Annex A', list(c.iso27001.map(esc))],
    ['Nag rules', list(c.nagRules.map((x) => `<code>${esc(x)}</code>`))],
    [
      'Config constraints',
      list(
        c.configConstraints.map(
          (k) =>
            `the stage schema refuses <code>${esc(k.key)}</code> = ${k.refused.map(valueHtml).join(', ')}: ${esc(k.why)}`,
        ),
      ),
    ],
  ];
  if (c.gap) rows.push(['Gap', esc(c.gap)]);
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function badge(c: ReportControl): string {
  if (c.evidence.length === 0) return '<span class="verdict none">no template evidence</span>';
  const failing = c.evidence.filter((e) => !e.ok).length;
  return failing === 0
    ? `<span class="verdict ok">✓ ${c.evidence.length} claims hold</span>`
    : `<span class="verdict fail">✗ ${failing} of ${c.evidence.length} claims fail</span>`;
}

/**
 * One control as a collapsed `<details>` with the control's id as its anchor. Its data
 * attributes carry what the filter reads: status, the stages it has evidence in, and the
 * stages where a claim fails.
 */
export function controlHtml(c: ReportControl): string {
  const stages = [...new Set(c.evidence.map((e) => e.stage))];
  const failing = [...new Set(c.evidence.filter((e) => !e.ok).map((e) => e.stage))];
  const claims = claimsOf(c);
  return `<details class="control${c.ok ? '' : ' failing'}" id="${esc(c.id)}" data-status="${c.status}" data-stages="${esc(stages.join(' '))}" data-failing="${esc(failing.join(' '))}">
<summary><span class="cid">${esc(c.id)}</span> <span class="statement">${esc(c.statement)}</span> <span class="status s-${c.status}">${c.status}</span> ${badge(c)}</summary>
<div class="body">
<h3>Template evidence</h3>
${claims.length > 0 ? claims.map(claimHtml).join('\n') : '<p><i>No template evidence: this control is kept outside the templates (see its tests, live checks and gap).</i></p>'}
${facts(c)}
</div>
</details>`;
}
