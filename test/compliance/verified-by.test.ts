import { CONTROLS, type LiveTool } from '../../lib/compliance/controls';
import { checkPattern, liveCheckProblems } from '../support/live-check-match';
import { type EmittedCheck, allEmittedChecks } from '../support/live-tool-runs';

describe('the live-check matcher', () => {
  const emitted = (tool: LiveTool, control: string, check: string): EmittedCheck => ({
    tool,
    control,
    check,
  });
  const stackAlarms = { tool: 'verify', check: 'alarms of <stack> page the alert topic' } as const;
  const ran = [
    emitted('verify', 'MON-ALERT', 'alarms of Bulwark-Staging-App page the alert topic'),
    emitted('verify', 'MON-ALERT', 'alarms of Bulwark-Staging-Edge page the alert topic'),
  ];

  it('lets a placeholder stand for any non-empty text, and nothing else vary', () => {
    const pattern = checkPattern('replica vault (<region>) locks objects');
    expect(pattern.test('replica vault (eu-central-1) locks objects')).toBe(true);
    expect(pattern.test('replica vault () locks objects')).toBe(false);
    expect(pattern.test('replica vault (eu-central-1) locks objects daily')).toBe(false);
    expect(checkPattern('a body over 1048576 bytes').test('a body over 1048576 bytesX')).toBe(
      false,
    );
    expect(checkPattern('Lambda runtime offered (x.y)').test('Lambda runtime offered (xzy)')).toBe(
      false,
    );
  });

  it('accepts runs and entries that agree', () => {
    expect(liveCheckProblems([{ id: 'MON-ALERT', verifiedBy: [stackAlarms] }], ran)).toEqual([]);
  });

  it('fails a renamed check, both ways', () => {
    const renamed = { tool: 'verify', check: 'alarms of <stack> notify the alert topic' } as const;
    expect(liveCheckProblems([{ id: 'MON-ALERT', verifiedBy: [renamed] }], ran)).toEqual([
      "verify: MON-ALERT 'alarms of Bulwark-Staging-App page the alert topic': matches no verifiedBy entry of MON-ALERT",
      "verify: MON-ALERT 'alarms of Bulwark-Staging-Edge page the alert topic': matches no verifiedBy entry of MON-ALERT",
      "MON-ALERT: verifiedBy verify 'alarms of <stack> notify the alert topic' is reported by no run",
    ]);
  });

  it('fails an entry under another control than the one the tool reports', () => {
    const controls = [
      { id: 'MON-ALERT', liveGap: 'none' },
      { id: 'MON-AUDIT', verifiedBy: [stackAlarms] },
    ];
    expect(liveCheckProblems(controls, ran.slice(0, 1))).toEqual([
      "verify: MON-ALERT 'alarms of Bulwark-Staging-App page the alert topic': matches no verifiedBy entry of MON-ALERT (but one of MON-AUDIT)",
      "MON-AUDIT: verifiedBy verify 'alarms of <stack> page the alert topic' is reported by no run",
    ]);
  });

  it('fails an entry of another tool with the same check name', () => {
    const smoke = { tool: 'smoke', check: stackAlarms.check } as const;
    expect(liveCheckProblems([{ id: 'MON-ALERT', verifiedBy: [smoke] }], ran.slice(0, 1))).toEqual([
      "verify: MON-ALERT 'alarms of Bulwark-Staging-App page the alert topic': matches no verifiedBy entry of MON-ALERT",
      "MON-ALERT: verifiedBy smoke 'alarms of <stack> page the alert topic' is reported by no run",
    ]);
  });

  it('fails a check two entries match, and a control the catalogue lacks', () => {
    const literal = {
      tool: 'verify',
      check: 'alarms of Bulwark-Staging-App page the alert topic',
    } as const;
    const run = [...ran.slice(0, 1), emitted('smoke', 'NO-SUCH', 'x')];
    expect(
      liveCheckProblems([{ id: 'MON-ALERT', verifiedBy: [stackAlarms, literal] }], run),
    ).toEqual([
      "verify: MON-ALERT 'alarms of Bulwark-Staging-App page the alert topic': matches 2 verifiedBy entries of MON-ALERT: 'alarms of <stack> page the alert topic', 'alarms of Bulwark-Staging-App page the alert topic'",
      "smoke: NO-SUCH 'x': control NO-SUCH is not in the catalogue",
    ]);
  });

  it('fails a control with both verifiedBy and liveGap, or neither', () => {
    expect(
      liveCheckProblems(
        [
          { id: 'MON-ALERT', verifiedBy: [stackAlarms], liveGap: 'checked elsewhere' },
          { id: 'NET-SG' },
          { id: 'AVL-LB', verifiedBy: [], liveGap: ' ' },
        ],
        ran,
      ),
    ).toEqual([
      'MON-ALERT: has both verifiedBy and a liveGap',
      'NET-SG: has neither verifiedBy nor a liveGap',
      'AVL-LB: has neither verifiedBy nor a liveGap',
    ]);
  });
});

describe("the catalogue's verifiedBy", () => {
  let emitted: EmittedCheck[];
  beforeAll(async () => {
    emitted = await allEmittedChecks();
  }, 120_000);

  it('runs every live tool on its compliant world', () => {
    const tools = new Set(emitted.map((e) => e.tool));
    expect([...tools].sort()).toEqual(['drift', 'preflight', 'smoke', 'verify']);
  });

  it('lists exactly the checks the live tools report, each under its own control and tool', () => {
    expect(liveCheckProblems(CONTROLS, emitted)).toEqual([]);
  });
});
