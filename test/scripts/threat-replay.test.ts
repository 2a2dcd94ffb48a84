import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { invoke } from '../../scripts/lib/cli';
import { asFindingEvent, command } from '../../scripts/threat-replay';

const fixture = (name: string) =>
  path.join(__dirname, '..', 'fixtures', 'guardduty', `${name}.json`);

async function replay(...args: string[]) {
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
  const err = jest.spyOn(console, 'error').mockImplementation((m: string) => void out.push(m));
  try {
    const code = await invoke(command, args);
    return { code, text: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('npm run threat:replay', () => {
  it('shows the block decision for a finding, offline', async () => {
    const { code, text } = await replay(fixture('port-probe-multi'));
    expect(code).toBe(0);
    expect(text).toContain('Offline: stage staging');
    expect(text).toMatch(/BLOCK 89\.248\.165\.52\/32 until \d{4}-/);
    expect(text).toMatch(/BLOCK 193\.142\.146\.35\/32/);
    expect(text).toContain('CLOUDFRONT bulwark-staging-edge-blockedv4: 2 address(es), updated');
    expect(text).toContain('Alert: Bulwark staging: blocked 2 addresses');
  });

  it('shows why an address is not blocked, with the stage’s trusted CIDRs', async () => {
    const { code, text } = await replay(fixture('private-remote-ip'), '--stage', 'production');
    expect(code).toBe(0);
    expect(text).toContain('Decision: IGNORED');
    expect(text).toContain('SKIP  10.0.3.12: reserved');
    expect(text).toContain('Alert: none');
  });

  it('prints the decision as JSON for machines', async () => {
    const { text } = await replay(fixture('network-connection-ipv6'), '--json');
    const json = JSON.parse(text);
    expect(json.live).toBe(false);
    expect(json.decision.blocked).toEqual([
      expect.objectContaining({ cidr: '2a0b:f4c0:16c:7::/64', family: 'v6' }),
    ]);
  });

  it('shows the addresses beyond the per-finding cap as dropped', async () => {
    const event = JSON.parse(fs.readFileSync(fixture('port-probe-multi'), 'utf8'));
    const [probe] = event.detail.service.action.portProbeAction.portProbeDetails;
    event.detail.service.action.portProbeAction.portProbeDetails = Array.from(
      { length: 102 },
      (_, i) => ({ ...probe, remoteIpDetails: { ipAddressV4: `45.9.${i >> 8}.${(i & 255) + 1}` } }),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-finding-')), 'f.json');
    fs.writeFileSync(file, JSON.stringify(event));
    const { code, text } = await replay(file);
    expect(code).toBe(0);
    expect(text.match(/^ {2}BLOCK /gm)).toHaveLength(100);
    expect(text).toContain('DROP  45.9.0.101/32 (beyond maxAddressesPerFinding 100)');
    expect(text).toContain('DROP  45.9.0.102/32 (beyond maxAddressesPerFinding 100)');
    expect(text).toContain('Per-finding cap reached: 2 addresses beyond it not blocked');
  });

  it('notes a finding below the stage’s severity threshold', async () => {
    const { text } = await replay(fixture('low-severity'));
    expect(text).toContain("below the stage's minSeverity 5");
  });

  it.each([
    [['/nonexistent/finding.json'], /cannot run: ENOENT/],
    [[fixture('aws-api-call'), '--stage', 'nope'], /No stage "nope" in cdk.json/],
    [[], /^threat:replay: missing argument <finding\.json> \(see --help\)$/],
    [['--stgae', 'production', 'f.json'], /^threat:replay: unknown option --stgae \(see --help\)$/],
  ])('exits 2 when it cannot run (%j)', async (args, message) => {
    const { code, text } = await replay(...args);
    expect(code).toBe(2);
    expect(text).toMatch(message);
  });

  it('accepts a bare finding as the console and get-findings give it', () => {
    const bare = { id: 'x', type: 't', severity: 5, updatedAt: 'u', service: {} };
    expect(asFindingEvent({ Findings: [bare] })).toEqual({
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      detail: bare,
    });
  });

  it('refuses --live without AWS credentials, with exit code 2', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')),
    );
    const r = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/threat-replay.ts', fixture('aws-api-call'), '--live'],
      { cwd: path.join(__dirname, '..', '..'), env: { ...env, HOME: home }, encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('threat:replay --live needs a real AWS account');
  });
});
