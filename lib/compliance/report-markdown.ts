import type { ComplianceReport } from './report-model';

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
    '| control | status | ISO/IEC 27001 Annex A | evidence | verified by |',
    '|---|---|---|---|---|',
    ...r.controls.map(
      (c) =>
        `| **${c.id}** ${c.statement} | ${c.status}${c.gap ? ` (${c.gap})` : ''} | ${c.iso27001.join('<br>')} | ${
          c.evidence.length === 0
            ? '-'
            : c.evidence
                .map(
                  (e) =>
                    `${e.ok ? '✓' : '✗'} ${e.stage}: ${e.claim} (${e.matches.map((m) => m.logicalId).join(', ') || 'none'})`,
                )
                .join('<br>')
        } | ${c.tests.join('<br>') || '-'} |`,
    ),
    '',
    `## Acknowledged findings (${r.acknowledgements.length})`,
    '',
    '| resource | finding | reason |',
    '|---|---|---|',
    ...r.acknowledgements.map((a) => `| \`${a.path}\` | ${a.rule} | ${a.reason} |`),
    '',
    '## Resources deployed by aws-cdk-lib',
    '',
    ...r.cdkInternal.map((c) => `- **${c.resource}**: ${c.why}`),
    '',
  ];
  return lines.join('\n');
}
