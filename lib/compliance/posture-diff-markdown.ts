import type {
  AcknowledgementChange,
  ControlDiff,
  Direction,
  EvidenceChange,
  FindingChange,
  PostureDiff,
  ResourceChange,
  StackRef,
} from './posture-diff-model';

/** How many controls the headline names before it says "and N more". */
const HEADLINE_CONTROLS = 8;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const unique = (items: readonly string[]) => [...new Set(items)].sort();
/** Inline code that survives any value (backticks become quotes, no line breaks). */
const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\s*\n\s*/g, ' ')}\``;
/** A table cell: pipes escaped, one line. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const quote = (text: string) => `"${text}"`;

/** The phrases that say, in a few words, how a control changed (weakening first). */
function controlPhrases(c: ControlDiff): string[] {
  const stagesWhere = (d: Direction) =>
    unique(c.evidence.filter((e) => e.direction === d).map((e) => e.stage));
  const resources = (d: Direction) =>
    c.evidence.flatMap((e) => e.resources).filter((r) => r.direction === d).length;
  const acks = (change: AcknowledgementChange['change']) =>
    c.acknowledgements.filter((a) => a.change === change).length;
  const lost = stagesWhere('weakens');
  const regained = stagesWhere('strengthens');
  const phrases = [
    c.change === 'removed' ? 'removed from the catalogue' : '',
    c.change === 'added' ? 'added to the catalogue' : '',
    c.status ? `status ${c.status.before} → ${c.status.after}` : '',
    lost.length > 0 ? `evidence lost in ${lost.join(', ')}` : '',
    lost.length === 0 && resources('weakens') > 0
      ? `${plural(resources('weakens'), 'resource')} now failing or out of a claim`
      : '',
    acks('added') > 0 ? `${plural(acks('added'), 'acknowledgement')} added` : '',
    regained.length > 0 ? `evidence holds again in ${regained.join(', ')}` : '',
    regained.length === 0 && resources('strengthens') > 0
      ? `${plural(resources('strengthens'), 'resource')} now holding or no longer failing`
      : '',
    acks('removed') > 0 ? `${plural(acks('removed'), 'acknowledgement')} removed` : '',
    acks('reason') > 0 ? `${plural(acks('reason'), 'acknowledgement reason')} changed` : '',
    c.evidence.some((e) => e.values.length > 0) ? 'judged values changed' : '',
    c.statement ? 'statement changed' : '',
  ];
  return phrases.filter((p) => p !== '');
}

/**
 * The one paragraph a reviewer reads first: the controls that changed and how (weakened
 * first), then stages, stacks, acknowledgements outside any control and findings; or
 * "No change to the security posture." when the diff is empty.
 */
export function postureHeadline(diff: PostureDiff): string {
  if (diff.empty) return 'No change to the security posture.';
  const weakened = diff.controls.filter((c) => c.weakens).length;
  const named = diff.controls
    .slice(0, HEADLINE_CONTROLS)
    .map((c) => `${c.id} (${controlPhrases(c).join('; ')})`);
  const more = diff.controls.length - named.length;
  const controls =
    diff.controls.length === 0
      ? 'No control changed'
      : `${plural(diff.controls.length, 'control')} changed${weakened > 0 ? `, ${weakened} weakened` : ''}: ` +
        `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const outside = diff.acknowledgements.filter((a) => a.controls.length === 0);
  const count = (list: readonly { change: string }[], change: string, what: string) =>
    list.filter((x) => x.change === change).length > 0
      ? `${plural(list.filter((x) => x.change === change).length, what)} ${change === 'reason' ? 'given another reason' : change}`
      : '';
  const tpDropped = diff.stacks.changed.filter((s) => s.terminationProtection?.after === false);
  const rest = [
    diff.stages.added.length > 0 ? `stages added: ${diff.stages.added.join(', ')}` : '',
    diff.stages.removed.length > 0 ? `stages removed: ${diff.stages.removed.join(', ')}` : '',
    diff.stacks.added.length > 0 ? `${plural(diff.stacks.added.length, 'stack')} added` : '',
    diff.stacks.removed.length > 0 ? `${plural(diff.stacks.removed.length, 'stack')} removed` : '',
    tpDropped.length > 0
      ? `termination protection dropped on ${tpDropped.map((s) => s.name).join(', ')}`
      : '',
    count(diff.findings, 'added', 'unresolved finding'),
    count(diff.findings, 'removed', 'unresolved finding'),
    count(outside, 'added', 'acknowledgement outside any control'),
    count(outside, 'removed', 'acknowledgement outside any control'),
    count(outside, 'reason', 'acknowledgement outside any control'),
  ].filter((p) => p !== '');
  return `${controls}${rest.length > 0 ? `; ${rest.join('; ')}` : ''}.`;
}

function claimLine(e: EvidenceChange): string {
  const where = `${e.stage} · ${e.stack} · ${quote(e.claim)} (${e.quantifier} ${e.type})`;
  if (e.ok.after === undefined)
    return `${where}: claim gone (it ${e.ok.before ? 'held' : 'failed'})`;
  if (e.ok.before === undefined) return `${where}: new claim, ${e.ok.after ? 'holds' : 'fails'}`;
  return `${where}: ${e.ok.after ? 'holds again' : 'no longer holds'}`;
}

function resourceLine(e: EvidenceChange, r: ResourceChange): string {
  const values =
    r.after === 'fails' && Object.keys(r.properties).length > 0
      ? ` (${Object.entries(r.properties)
          .map(([k, v]) => code(`${k}: ${v}`))
          .join(', ')})`
      : '';
  return `${code(r.resource)} ${r.before} → ${r.after}: ${quote(e.claim)} (${e.stage})${values}`;
}

function acknowledgementLine(a: AcknowledgementChange): string {
  const what = `${code(a.path)} ${code(a.rule)}`;
  if (a.change === 'added') return `acknowledgement added: ${what}: ${a.reason.after}`;
  if (a.change === 'removed') return `acknowledgement removed: ${what} (was: ${a.reason.before})`;
  return `acknowledgement reason changed: ${what}: ${quote(a.reason.before ?? '')} → ${quote(a.reason.after ?? '')}`;
}

const findingLine = (f: FindingChange) =>
  `unresolved finding ${f.change}: ${code(f.rule)} at ${code(f.path)} (${f.plugin})`;

/** Lines grouped as weakening, strengthening and other, each group under its label. */
function grouped(items: readonly { direction: Direction; line: string }[]): string[] {
  const labels: [Direction, string][] = [
    ['weakens', '**Weakens**'],
    ['strengthens', '**Strengthens**'],
    ['neutral', '**Other changes**'],
  ];
  return labels.flatMap(([d, label]) => {
    const lines = items.filter((i) => i.direction === d).map((i) => `- ${i.line}`);
    return lines.length > 0 ? [label, '', ...lines, ''] : [];
  });
}

function controlSection(c: ControlDiff): string[] {
  const items = [
    ...(c.status
      ? [
          {
            direction: 'neutral' as Direction,
            line: `status ${c.status.before} → ${c.status.after}`,
          },
        ]
      : []),
    ...(c.statement
      ? [
          {
            direction: 'neutral' as Direction,
            line: `statement ${quote(c.statement.before ?? '')} → ${quote(c.statement.after ?? '')}`,
          },
        ]
      : []),
    ...c.evidence.flatMap((e) => [
      ...(e.ok.before === e.ok.after ? [] : [{ direction: e.direction, line: claimLine(e) }]),
      ...e.resources.map((r) => ({ direction: r.direction, line: resourceLine(e, r) })),
    ]),
    ...c.acknowledgements.map((a) => ({ direction: a.direction, line: acknowledgementLine(a) })),
  ];
  const values = c.evidence.flatMap((e) =>
    e.values.map(
      (v) =>
        `| ${e.stage} | ${cell(code(v.resource))} | ${cell(code(v.property))} | ${cell(code(v.before ?? '-'))} | ${cell(code(v.after ?? '-'))} |`,
    ),
  );
  const mark = c.weakens ? ' (weakens)' : c.strengthens ? ' (strengthens)' : '';
  return [
    `### ${c.id}${mark}`,
    '',
    c.title,
    '',
    ...grouped(items),
    ...(values.length > 0
      ? [
          'Judged values that changed:',
          '',
          '| stage | resource | value | before | after |',
          '|---|---|---|---|---|',
          ...unique(values),
          '',
        ]
      : []),
  ];
}

const stackLine = (s: StackRef, change: string) =>
  `stack ${change}: ${code(s.name)} (${s.stage}, ${s.environment || 'no environment'}${s.terminationProtection ? ', termination-protected' : ''})`;

function assemblySection(diff: PostureDiff): string[] {
  const items = [
    ...diff.stages.added.map((s) => ({
      direction: 'neutral' as Direction,
      line: `stage added: ${s}`,
    })),
    ...diff.stages.removed.map((s) => ({
      direction: 'neutral' as Direction,
      line: `stage removed: ${s}`,
    })),
    ...diff.stacks.added.map((s) => ({
      direction: 'neutral' as Direction,
      line: stackLine(s, 'added'),
    })),
    ...diff.stacks.removed.map((s) => ({
      direction: (s.terminationProtection ? 'weakens' : 'neutral') as Direction,
      line: stackLine(s, 'removed'),
    })),
    ...diff.stacks.changed.map((s) => ({
      direction: s.direction,
      line: [
        `stack ${code(s.name)}:`,
        s.environment ? `environment ${s.environment.before} → ${s.environment.after}` : '',
        s.terminationProtection
          ? `termination protection ${s.terminationProtection.after ? 'added' : 'dropped'}`
          : '',
      ]
        .filter((x) => x !== '')
        .join(' '),
    })),
  ];
  return items.length > 0 ? ['### Stages and stacks', '', ...grouped(items)] : [];
}

function outsideSection(diff: PostureDiff): string[] {
  const items = [
    ...diff.acknowledgements
      .filter((a) => a.controls.length === 0)
      .map((a) => ({ direction: a.direction, line: acknowledgementLine(a) })),
    ...diff.findings.map((f) => ({
      direction: f.direction,
      line: `${findingLine(f)}${f.controls.length > 0 ? ` (${f.controls.join(', ')})` : ''}`,
    })),
  ];
  return items.length > 0
    ? ['### Findings and acknowledgements outside any control', '', ...grouped(items)]
    : [];
}

/**
 * The posture diff as Markdown for the pull-request comment: the headline, then one
 * section per changed control (weakening, strengthening and other changes apart, and a
 * table of judged values that changed), then stages and stacks, and the acknowledgements
 * and findings no control's nag rules name.
 */
export function postureDiffMarkdown(diff: PostureDiff): string {
  const lines = [
    '## Security posture against the baseline',
    '',
    postureHeadline(diff),
    '',
    ...diff.controls.flatMap(controlSection),
    ...assemblySection(diff),
    ...outsideSection(diff),
  ];
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
