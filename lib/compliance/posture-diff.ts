import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ControlStatus } from './controls';
import { postureDiffMarkdown } from './posture-diff-markdown';
import {
  type AcknowledgementChange,
  type Change,
  type ControlDiff,
  type Direction,
  type EvidenceChange,
  type FindingChange,
  POSTURE_DIFF_FORMAT,
  type PostureDiff,
  type ResourceChange,
  type ResourceState,
  type StackChange,
  type StackRef,
  type ValueChange,
} from './posture-diff-model';
import type { AcknowledgedFinding, ComplianceReport, EvidenceResult } from './report-model';
import type { ValidationFinding } from './validation-report';

export * from './posture-diff-model';
export { postureDiffMarkdown, postureHeadline } from './posture-diff-markdown';

/** The files the posture diff is written to, in the report's directory. */
export const POSTURE_DIFF_FILES = ['posture-diff.json', 'posture-diff.md'] as const;

type ReportControl = ComplianceReport['controls'][number];

const SEP = '\u0000';
const byKey = <T>(items: readonly T[], key: (item: T) => string) =>
  new Map(items.map((item) => [key(item), item]));
/** The keys of both maps, sorted (code-unit order, so the same on every machine). */
const allKeys = (...maps: ReadonlyMap<string, unknown>[]) =>
  [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
const changed = <T>(before: T | undefined, after: T | undefined): Change<T> | undefined =>
  before === after ? undefined : { before, after };
const towards = (weakens: boolean, strengthens: boolean): Direction =>
  weakens ? 'weakens' : strengthens ? 'strengthens' : 'neutral';

/** Enforced and inherited controls hold; partial less; planned not yet. */
const STATUS_RANK: Record<ControlStatus, number> = {
  enforced: 3,
  inherited: 3,
  partial: 2,
  planned: 1,
};

/** Each resource a claim is about (`stack/logicalId`), with its standing and judged values. */
function standing(e: EvidenceResult | undefined) {
  const out = new Map<string, { state: ResourceState; properties: Record<string, string> }>();
  for (const [state, list] of [
    ['holds', e?.matches ?? []],
    ['fails', e?.failures ?? []],
  ] as const) {
    for (const m of list) out.set(`${m.stack}/${m.logicalId}`, { state, properties: m.properties });
  }
  return out;
}

/** A resource failing a claim, or leaving one it held, weakens; the reverse strengthens. */
const resourceDirection = (before: ResourceState, after: ResourceState): Direction =>
  towards(after === 'fails' || before === 'holds', true);

/** How one claim changed, or undefined when it did not. */
function evidenceChange(
  b: EvidenceResult | undefined,
  a: EvidenceResult | undefined,
): EvidenceChange | undefined {
  const e = (a ?? b) as EvidenceResult;
  const before = standing(b);
  const after = standing(a);
  const resources: ResourceChange[] = allKeys(before, after).flatMap((resource) => {
    const was = before.get(resource);
    const is = after.get(resource);
    const from = was?.state ?? 'absent';
    const to = is?.state ?? 'absent';
    if (from === to) return [];
    const properties = (is ?? was)?.properties ?? {};
    return [
      { resource, before: from, after: to, properties, direction: resourceDirection(from, to) },
    ];
  });
  const values: ValueChange[] = allKeys(before, after).flatMap((resource) => {
    const was = before.get(resource)?.properties;
    const is = after.get(resource)?.properties;
    if (!was || !is) return [];
    return allKeys(new Map(Object.entries(was)), new Map(Object.entries(is)))
      .filter((property) => was[property] !== is[property])
      .map((property) => ({ resource, property, before: was[property], after: is[property] }));
  });
  const ok = { before: b?.ok, after: a?.ok };
  if (ok.before === ok.after && resources.length === 0 && values.length === 0) return undefined;
  return {
    stage: e.stage,
    stack: e.stack,
    claim: e.claim,
    type: e.type,
    quantifier: e.quantifier,
    ok,
    resources,
    values,
    direction: towards(
      (ok.before === true && ok.after !== true) || (ok.before === undefined && ok.after === false),
      ok.after === true && ok.before !== true,
    ),
  };
}

/** The controls whose nag rules include `rule` (or the rule it refines, `Rule[...]`). */
function controlsOfRule(controls: readonly ReportControl[], rule: string): string[] {
  const base = rule.replace(/\[[\s\S]*$/, '');
  return [
    ...new Set(
      controls
        .filter((c) => c.nagRules.includes(rule) || c.nagRules.includes(base))
        .map((c) => c.id),
    ),
  ].sort();
}

function acknowledgementChanges(
  baseline: readonly AcknowledgedFinding[],
  current: readonly AcknowledgedFinding[],
  controls: readonly ReportControl[],
): AcknowledgementChange[] {
  const key = (a: AcknowledgedFinding) => `${a.path}${SEP}${a.rule}`;
  const before = byKey(baseline, key);
  const after = byKey(current, key);
  return allKeys(before, after).flatMap((k): AcknowledgementChange[] => {
    const was = before.get(k);
    const is = after.get(k);
    if (was && is && was.reason === is.reason) return [];
    const { path, rule } = (is ?? was) as AcknowledgedFinding;
    const change = !was ? 'added' : !is ? 'removed' : 'reason';
    return [
      {
        path,
        rule,
        change,
        reason: { before: was?.reason, after: is?.reason },
        controls: controlsOfRule(controls, rule),
        direction: towards(change === 'added', change === 'removed'),
      },
    ];
  });
}

function findingChanges(
  baseline: readonly ValidationFinding[],
  current: readonly ValidationFinding[],
  controls: readonly ReportControl[],
): FindingChange[] {
  const key = (f: ValidationFinding) => [f.rule, f.path, f.plugin].join(SEP);
  const before = byKey(baseline, key);
  const after = byKey(current, key);
  return allKeys(before, after).flatMap((k): FindingChange[] => {
    const was = before.get(k);
    const is = after.get(k);
    if (was && is) return [];
    const f = (is ?? was) as ValidationFinding;
    return [
      {
        ...f,
        change: is ? 'added' : 'removed',
        controls: controlsOfRule(controls, f.rule),
        direction: is ? 'weakens' : 'strengthens',
      },
    ];
  });
}

function stackChanges(baseline: ComplianceReport, current: ComplianceReport) {
  const stacksOf = (r: ComplianceReport): StackRef[] =>
    r.stages.flatMap((s) => s.stacks.map((k) => ({ stage: s.name, ...k })));
  const before = byKey(stacksOf(baseline), (s) => s.name);
  const after = byKey(stacksOf(current), (s) => s.name);
  const added: StackRef[] = [];
  const removed: StackRef[] = [];
  const changes: StackChange[] = [];
  for (const name of allKeys(before, after)) {
    const was = before.get(name);
    const is = after.get(name);
    if (!was) added.push(is as StackRef);
    else if (!is) removed.push(was);
    else {
      const environment = changed(was.environment, is.environment);
      const terminationProtection = changed(was.terminationProtection, is.terminationProtection);
      if (environment || terminationProtection) {
        changes.push({
          stage: is.stage,
          name,
          ...(environment && { environment }),
          ...(terminationProtection && { terminationProtection }),
          direction: towards(
            terminationProtection?.after === false,
            terminationProtection?.after === true,
          ),
        });
      }
    }
  }
  return { added, removed, changed: changes };
}

function controlDiff(
  was: ReportControl | undefined,
  is: ReportControl | undefined,
  acknowledgements: readonly AcknowledgementChange[],
): ControlDiff | undefined {
  const c = (is ?? was) as ReportControl;
  const evidenceKey = (e: EvidenceResult) => [e.stage, e.stack, e.claim].join(SEP);
  const before = byKey(was?.evidence ?? [], evidenceKey);
  const after = byKey(is?.evidence ?? [], evidenceKey);
  const evidence = allKeys(before, after).flatMap((k) => {
    const change = evidenceChange(before.get(k), after.get(k));
    return change ? [change] : [];
  });
  const acks = acknowledgements.filter((a) => a.controls.includes(c.id));
  const status = was && is ? changed(was.status, is.status) : undefined;
  const statement = was && is ? changed(was.statement, is.statement) : undefined;
  if (was && is && !status && !statement && evidence.length === 0 && acks.length === 0)
    return undefined;
  const directions = [
    ...evidence.flatMap((e) => [e.direction, ...e.resources.map((r) => r.direction)]),
    ...acks.map((a) => a.direction),
  ];
  if (status?.before && status.after) {
    const delta = STATUS_RANK[status.after] - STATUS_RANK[status.before];
    directions.push(towards(delta < 0, delta > 0));
  }
  return {
    id: c.id,
    title: c.statement,
    change: !was ? 'added' : !is ? 'removed' : 'changed',
    ...(status && { status }),
    ...(statement && { statement }),
    evidence,
    acknowledgements: acks,
    weakens: !is || directions.includes('weakens'),
    strengthens: directions.includes('strengthens'),
  };
}

/**
 * What changed in the security posture from `baseline` to `current`, two reports built
 * with the same (current) catalogue from two assemblies: stages and stacks added or
 * removed (and environment or termination-protection changes); per control its status and
 * statement, each claim (keyed by stage, stack and claim) that appeared, went, started or
 * stopped holding, the resources entering or leaving its matches and failures and the
 * judged values that changed; acknowledgements (keyed by path and rule) added, removed or
 * given another reason, attributed to the controls whose nag rules include the rule; and
 * unresolved findings added or removed. Every list is sorted.
 */
export function postureDiff(baseline: ComplianceReport, current: ComplianceReport): PostureDiff {
  const baselineStages = new Set(baseline.stages.map((s) => s.name));
  const currentStages = new Set(current.stages.map((s) => s.name));
  const stages = {
    added: [...currentStages].filter((s) => !baselineStages.has(s)).sort(),
    removed: [...baselineStages].filter((s) => !currentStages.has(s)).sort(),
  };
  const currentIds = new Set(current.controls.map((c) => c.id));
  const catalogue = [
    ...current.controls,
    ...baseline.controls.filter((c) => !currentIds.has(c.id)),
  ];
  const acknowledgements = acknowledgementChanges(
    baseline.acknowledgements,
    current.acknowledgements,
    catalogue,
  );
  const before = byKey(baseline.controls, (c) => c.id);
  const after = byKey(current.controls, (c) => c.id);
  const controls = allKeys(before, after)
    .flatMap((id) => {
      const diff = controlDiff(before.get(id), after.get(id), acknowledgements);
      return diff ? [diff] : [];
    })
    .sort((x, y) => Number(y.weakens) - Number(x.weakens) || (x.id < y.id ? -1 : 1));
  const stacks = stackChanges(baseline, current);
  const findings = findingChanges(baseline.findings, current.findings, catalogue);
  const empty =
    stages.added.length + stages.removed.length === 0 &&
    stacks.added.length + stacks.removed.length + stacks.changed.length === 0 &&
    controls.length + acknowledgements.length + findings.length === 0;
  return {
    format: POSTURE_DIFF_FORMAT,
    stages,
    stacks,
    controls,
    acknowledgements,
    findings,
    empty,
  };
}

/** Writes posture-diff.json and posture-diff.md into `outDir`; returns their paths. */
export function writePostureDiff(diff: PostureDiff, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const [json, md] = POSTURE_DIFF_FILES.map((name) => path.join(outDir, name));
  fs.writeFileSync(json, `${JSON.stringify(diff, null, 2)}\n`);
  fs.writeFileSync(md, postureDiffMarkdown(diff));
  return [json, md];
}
