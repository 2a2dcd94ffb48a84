import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import {
  ACCOUNT_SERVICES_METADATA,
  type AccountService,
  STAGE_OPTIONS_METADATA,
  type StageOption,
  parseStackName,
  stackName,
} from '../stage-layout';
import {
  type AcknowledgedFinding,
  type ComplianceReport,
  type EvidenceResult,
  REPORT_FORMAT,
  evidenceFailureText,
} from './report-model';
import { CDK_INTERNAL_RESOURCES } from './cdk-internal';
import { CONFIG_CONSTRAINTS } from './config-constraints';
import { CONTROLS, type CfnJson, type Evidence, type EvidenceContext } from './controls';
import { ANNEX_A, ISO_27001_MAPPING } from './iso27001';
import { NAG_PACKS } from './nag-packs';
import { toHtml } from './report-html';
import { toMarkdown } from './report-markdown';
import { toSarif } from './report-sarif';
import {
  type ValidationFinding,
  readValidationReport,
  validationFindings,
} from './validation-report';

export type { ValidationFinding } from './validation-report';
export { toHtml, toMarkdown, toSarif };
export * from './report-model';

const shorten = (v: unknown) => {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** Judges a resource and records which of its values the judgement read. */
function judge(
  holds: NonNullable<Evidence['about']>,
  resource: CfnJson,
  context: EvidenceContext,
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
  let ok: boolean;
  try {
    ok = holds(watch(resource.Properties ?? {}), watch(resource), context) === true;
  } catch (err) {
    // A template the judgement did not foresee does not hold; the report says why.
    read.set('error', err instanceof Error ? err.message : String(err));
    ok = false;
  }
  return { ok, properties: Object.fromEntries([...read].map(([k, v]) => [k, shorten(v)])) };
}

/** Each account service's mode, as the Security stack's template metadata records it. */
export type AccountServiceModes = Partial<Record<AccountService, string>>;

/** Each stage option's value, as the Data stack's template metadata records it. */
export type StageOptionValues = Partial<Record<StageOption, unknown>>;

/**
 * One claim judged on the resources of one stack of one stage. A claim about an account
 * service that the stage takes from the account (`accountServices`) and the stack does not
 * create holds without resources, saying so (its live checks are in the account). So does
 * a claim about a stage option the stage records another value of (`stageOptions`) when
 * the stack has no resource the claim is about.
 */
export function judgeEvidence(
  e: Evidence,
  stage: string,
  stack: string,
  resources: Record<string, CfnJson>,
  accountServices: AccountServiceModes = {},
  stageOptions: StageOptionValues = {},
): EvidenceResult {
  const quantifier = e.quantifier ?? 'every';
  const claim = { claim: e.claim, type: e.type, stack: e.stack, stage, quantifier };
  if (
    e.accountService &&
    accountServices[e.accountService] === 'existing' &&
    !Object.values(resources).some((r) => r.Type === e.type)
  )
    return {
      ...claim,
      matches: [],
      failures: [],
      ok: true,
      accountService: { key: e.accountService, mode: 'existing' },
    };
  const about = Object.entries(resources).filter(
    ([logicalId, r]) =>
      r.Type === e.type &&
      (!e.about || e.about(r.Properties ?? {}, r, { stage, logicalId, resources })),
  );
  if (
    e.option &&
    e.option.key in stageOptions &&
    stageOptions[e.option.key] !== e.option.value &&
    about.length === 0
  )
    return {
      ...claim,
      matches: [],
      failures: [],
      ok: true,
      notChosen: { key: e.option.key, value: stageOptions[e.option.key] },
    };
  const judged = about.map(([logicalId, r]) => ({
    logicalId,
    ...judge(e.holds, r, { stage, logicalId, resources }),
  }));
  const entry = ({ logicalId, properties }: (typeof judged)[number]) => ({
    stack,
    logicalId,
    properties,
  });
  const matches = judged.filter((j) => j.ok).map(entry);
  const failures = judged.filter((j) => !j.ok).map(entry);
  return {
    ...claim,
    matches,
    failures,
    ok: matches.length > 0 && (quantifier === 'some' || failures.length === 0),
  };
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
    stacks.map((s) => [
      s.name,
      s.artifact.template as { Resources: Record<string, CfnJson>; Metadata?: CfnJson },
    ]),
  );
  const stageNames = [...new Set(stacks.map((s) => s.stage))];

  const controls = CONTROLS.map((control) => {
    const evidence: EvidenceResult[] = [];
    for (const stage of stageNames) {
      for (const e of control.evidence) {
        const name = stackName(stage, e.stack);
        evidence.push(
          judgeEvidence(
            e,
            stage,
            name,
            templates.get(name)?.Resources ?? {},
            templates.get(stackName(stage, 'Security'))?.Metadata?.[ACCOUNT_SERVICES_METADATA],
            templates.get(stackName(stage, 'Data'))?.Metadata?.[STAGE_OPTIONS_METADATA],
          ),
        );
      }
    }
    const iso27001 = (ISO_27001_MAPPING[control.id] ?? []).map((a) => `A.${a} ${ANNEX_A[a]}`);
    const configConstraints = CONFIG_CONSTRAINTS.filter((k) => k.control === control.id).map(
      (k) => ({ key: k.key, refused: k.refused.map((v) => JSON.stringify(v)), why: k.why }),
    );
    return {
      ...control,
      evidence,
      ok: evidence.every((e) => e.ok),
      iso27001,
      configConstraints,
    };
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

/** One line per claim whose evidence is missing from the templates. */
export function evidenceFailures(r: ComplianceReport): string[] {
  return r.controls.flatMap((c) =>
    c.evidence.filter((e) => !e.ok).map((e) => evidenceFailureText(c.id, e)),
  );
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
