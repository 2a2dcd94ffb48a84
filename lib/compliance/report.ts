import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { type StagePart, parseStackName, stackName } from '../stage-layout';
import { ACKNOWLEDGEMENTS } from './acknowledgements';
import { CDK_INTERNAL_RESOURCES } from './cdk-internal';
import { CONTROLS, type CfnJson, type Control, type ControlStatus } from './controls';
import { ANNEX_A, ISO_27001_MAPPING } from './iso27001';
import { NAG_PACKS } from './nag-packs';
import {
  type ValidationFinding,
  readValidationReport,
  validationFindings,
} from './validation-report';

export type { ValidationFinding } from './validation-report';

/** Version of the report's JSON schema; bumped on any incompatible change. */
export const REPORT_FORMAT = 'bulwark-compliance-report/1';

/** One resource that backs a claim. */
export interface EvidenceMatch {
  readonly stack: string;
  readonly logicalId: string;
  /** The template values the claim was judged on (as JSON, shortened). */
  readonly properties: Record<string, string>;
}

const shorten = (v: unknown) => {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** Judges a resource and records which of its values the judgement read. */
function judge(
  holds: (properties: CfnJson, resource: CfnJson) => boolean,
  resource: CfnJson,
): { ok: boolean; properties: Record<string, string> } {
  const read = new Map<string, unknown>();
  const watch = (target: CfnJson) =>
    new Proxy(target, {
      get(t, key) {
        const value = t[key as string];
        if (typeof key === 'string' && key !== 'Properties') read.set(key, value);
        return value;
      },
    });
  const ok = holds(watch(resource.Properties ?? {}), watch(resource));
  return { ok, properties: Object.fromEntries([...read].map(([k, v]) => [k, shorten(v)])) };
}

/** A claim checked against one stage. */
export interface EvidenceResult {
  readonly claim: string;
  readonly type: string;
  readonly stack: StagePart;
  readonly stage: string;
  readonly matches: EvidenceMatch[];
  readonly ok: boolean;
}

/** One acknowledged finding, as recorded in the assembly. */
export interface AcknowledgedFinding {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** The machine-readable report. */
export interface ComplianceReport {
  readonly format: string;
  readonly stages: {
    name: string;
    stacks: { name: string; environment: string; terminationProtection: boolean }[];
  }[];
  readonly nagPacks: readonly string[];
  readonly summary: Record<ControlStatus, number> & { evidenceFailures: number };
  readonly controls: (Omit<Control, 'evidence'> & {
    evidence: EvidenceResult[];
    ok: boolean;
    /** ISO/IEC 27001:2022 Annex A controls it supports, as `A.8.24 Use of cryptography`. */
    iso27001: string[];
  })[];
  readonly acknowledgements: AcknowledgedFinding[];
  /** Resources that aws-cdk-lib deploys on Bulwark's behalf, and why each is acceptable. */
  readonly cdkInternal: { resource: string; why: string }[];
  /** Unresolved findings of a failed synthesis (empty after a successful one). */
  readonly findings: ValidationFinding[];
}

/**
 * Builds the report from a synthesized cloud assembly: every control of the
 * catalogue with its evidence resolved against each stage's templates, and every
 * acknowledged finding with its reason.
 */
export function buildReport(assemblyDir: string, onlyStage?: string): ComplianceReport {
  // In the manifest's order (stages, then parts as the app creates them), not deployment order.
  const assembly = new CloudAssembly(assemblyDir, { topoSort: false });
  const stacks = assembly.stacks
    .flatMap((artifact) => {
      const layout = parseStackName(artifact.id);
      return layout
        ? [{ name: artifact.id, stage: layout.title, part: layout.part, artifact }]
        : [];
    })
    .filter((s) => !onlyStage || s.stage.toLowerCase() === onlyStage.toLowerCase());
  if (stacks.length === 0)
    throw new Error(
      `No Bulwark stacks${onlyStage ? ` of stage ${onlyStage}` : ''} in ${assemblyDir}`,
    );
  const templates = new Map(
    stacks.map((s) => [s.name, s.artifact.template as { Resources: Record<string, CfnJson> }]),
  );
  const stageNames = [...new Set(stacks.map((s) => s.stage))];

  const controls = CONTROLS.map((control) => {
    const evidence: EvidenceResult[] = [];
    for (const stage of stageNames) {
      for (const e of control.evidence) {
        const name = stackName(stage, e.stack);
        const resources = templates.get(name)?.Resources ?? {};
        const matches = Object.entries(resources)
          .filter(([, r]) => r.Type === e.type)
          .map(([logicalId, r]) => ({ logicalId, ...judge(e.holds, r) }))
          .filter((m) => m.ok)
          .map(({ logicalId, properties }) => ({ stack: name, logicalId, properties }));
        evidence.push({
          claim: e.claim,
          type: e.type,
          stack: e.stack,
          stage,
          matches,
          ok: matches.length > 0,
        });
      }
    }
    const iso27001 = (ISO_27001_MAPPING[control.id] ?? []).map((a) => `A.${a} ${ANNEX_A[a]}`);
    return { ...control, evidence, ok: evidence.every((e) => e.ok), iso27001 };
  });

  const acknowledgements: AcknowledgedFinding[] = [];
  for (const s of stacks) {
    for (const [p, entries] of Object.entries(s.artifact.metadata)) {
      for (const entry of entries.filter((x) => x.type === 'aws:cdk:acknowledged-rules')) {
        for (const [rule, reason] of Object.entries(
          entry.data as unknown as Record<string, string>,
        )) {
          acknowledgements.push({
            path: p.replace(/^\//, ''),
            rule: rule.replace(/^Annotation::/, ''),
            reason,
          });
        }
      }
    }
  }

  const findings: ValidationFinding[] = validationFindings(readValidationReport(assemblyDir));

  const summary = { enforced: 0, partial: 0, planned: 0, inherited: 0, evidenceFailures: 0 };
  for (const c of controls) {
    summary[c.status]++;
    summary.evidenceFailures += c.evidence.filter((e) => !e.ok).length;
  }
  return {
    format: REPORT_FORMAT,
    stages: stageNames.map((name) => ({
      name,
      stacks: stacks
        .filter((s) => s.stage === name)
        .map((s) => ({
          name: s.name,
          environment: s.artifact.manifest.environment ?? '',
          terminationProtection: s.artifact.terminationProtection === true,
        })),
    })),
    nagPacks: NAG_PACKS,
    summary,
    controls,
    acknowledgements,
    findings,
    cdkInternal: CDK_INTERNAL_RESOURCES.map(({ resource, why }) => ({ resource, why })),
  };
}

/**
 * The report as SARIF 2.1.0 for code scanning: every unresolved validation finding
 * and every missing piece of control evidence is an error result.
 */
export function toSarif(r: ComplianceReport): object {
  const results = [
    ...r.findings.map((f) => ({
      ruleId: f.rule,
      level: 'error',
      message: { text: `${f.description} (${f.plugin})` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `cdk.out/${f.path.split('/')[0]}.template.json` },
          },
          logicalLocations: [{ fullyQualifiedName: f.path }],
        },
      ],
    })),
    ...r.controls.flatMap((c) =>
      c.evidence
        .filter((e) => !e.ok)
        .map((e) => ({
          ruleId: c.id,
          level: 'error',
          message: { text: `${c.id} (${e.stage}): no ${e.type} in ${e.stack} where ${e.claim}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: `cdk.out/${stackName(e.stage, e.stack)}.template.json` },
              },
              logicalLocations: [{ fullyQualifiedName: stackName(e.stage, e.stack) }],
            },
          ],
        })),
    ),
  ];
  const rules = [...new Set(results.map((x) => x.ruleId))].map((id) => ({
    id,
    shortDescription: {
      text:
        r.controls.find((c) => c.id === id)?.statement ??
        r.findings.find((f) => f.rule === id)!.description,
    },
  }));
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      { tool: { driver: { name: 'bulwark-compliance', version: REPORT_FORMAT, rules } }, results },
    ],
  };
}

/** One line per claim whose evidence is missing from the templates. */
export function evidenceFailures(r: ComplianceReport): string[] {
  return r.controls.flatMap((c) =>
    c.evidence
      .filter((e) => !e.ok)
      .map((e) => `${c.id} (${e.stage}): no ${e.type} in ${e.stack} where ${e.claim}`),
  );
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

/** Writes report.json, report.md, report.html and report.sarif into `outDir`. */
export function writeReport(report: ComplianceReport, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['report.md', toMarkdown(report)],
    ['report.html', toHtml(report)],
    ['report.sarif', `${JSON.stringify(toSarif(report), null, 2)}\n`],
  ];
  for (const [name, text] of files) fs.writeFileSync(path.join(outDir, name), text);
  return files.map(([name]) => path.join(outDir, name));
}
