import type { ComplianceReport, EvidenceResult } from './report-model';

type ReportControl = ComplianceReport['controls'][number];

/** Text safe inside a table cell: no pipe ends the cell, no newline ends the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** One claim: whether it holds, its quantifier, and the resources it holds or fails for. */
function claimCell(e: EvidenceResult): string {
  const ids = (ms: readonly { logicalId: string }[]): string =>
    ms.map((m) => m.logicalId).join(', ');
  if (e.accountService)
    return cell(
      `✓ ${e.stage}: ${e.claim} (taken from the account, ${e.accountService.key}: ${e.accountService.mode}; checked live)`,
    );
  if (e.notChosen)
    return cell(
      `– ${e.stage}: ${e.claim} (not chosen: ${e.notChosen.key}: ${JSON.stringify(e.notChosen.value)}; none of these resources)`,
    );
  const about = `${e.quantifier === 'some' ? 'some' : 'every'} ${e.type}`;
  const held = e.matches.length > 0 ? `holds for ${ids(e.matches)}` : 'holds for none';
  const failed = e.failures.length > 0 ? `; fails for ${ids(e.failures)}` : '';
  return cell(`${e.ok ? '✓' : '✗'} ${e.stage}: ${e.claim} (${about}: ${held}${failed})`);
}

/** The live checks of a deployed account that report on the control, or why there is none. */
function liveCell(c: ReportControl): string {
  if (c.verifiedBy && c.verifiedBy.length > 0)
    return c.verifiedBy.map((v) => cell(`${v.tool}: ${v.check}`)).join('<br>');
  return c.liveGap ? cell(`none: ${c.liveGap}`) : '-';
}

/** The report as Markdown (pull-request comments, job summaries). */
export function toMarkdown(r: ComplianceReport): string {
  const lines = [
    '# Bulwark compliance report',
    '',
    `Stages: ${r.stages.map((s) => s.name).join(', ')}. Nag packs on every stack: ${r.nagPacks.join(', ')}; ` +
      'synthesis fails on any finding that is neither fixed nor acknowledged.',
    '',
    `Controls: ${r.summary.enforced} enforced, ${r.summary.partial} partial, ${r.summary.planned} planned, ` +
      `${r.summary.inherited} inherited. Evidence failures: ${r.summary.evidenceFailures}.`,
    '',
    '| control | status | ISO/IEC 27001 Annex A | evidence | tests | live checks |',
    '|---|---|---|---|---|---|',
    ...r.controls.map(
      (c) =>
        `| **${c.id}** ${cell(c.statement)} | ${c.status}${c.gap ? ` (${cell(c.gap)})` : ''} | ${c.iso27001.join('<br>')} | ${
          c.evidence.length === 0 ? '-' : c.evidence.map(claimCell).join('<br>')
        } | ${c.tests.map((t) => `\`${t}\``).join('<br>') || '-'} | ${liveCell(c)} |`,
    ),
    '',
    `## Acknowledged findings (${r.acknowledgements.length})`,
    '',
    '| resource | finding | reason |',
    '|---|---|---|',
    ...r.acknowledgements.map((a) => `| \`${a.path}\` | ${a.rule} | ${cell(a.reason)} |`),
    '',
    '## Resources deployed by aws-cdk-lib',
    '',
    ...r.cdkInternal.map((c) => `- **${c.resource}**: ${c.why}`),
    '',
  ];
  return lines.join('\n');
}
