import { PublishCommand } from '@aws-sdk/client-sns';
import { TOPIC, useThreatHandler } from './handler-harness';
import { finding } from './fixtures';

const h = useThreatHandler();
const { sns, metric } = h;

describe('threat-response handler', () => {
  it('blocks a finding’s addresses, pages on-call once and counts the blocks', async () => {
    const d = await h.handler(finding('port-probe-multi'));
    expect(d).toMatchObject({ outcome: 'blocked' });
    expect(h.waf.addresses('edge', 'v4')).toEqual(['89.248.165.52/32', '193.142.146.35/32']);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe(
      'Bulwark staging: blocked 2 addresses (Recon:EC2/PortProbeUnprotectedPort)',
    );
    expect(input.Message).toContain('- 89.248.165.52/32 until 2026-');
    expect(metric('AddressesBlocked')).toEqual([2]);
  });

  it('pages nobody when a redelivered finding blocks nothing new', async () => {
    await h.handler(finding('port-probe-multi'));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(metric('AddressesBlocked')).toEqual([0]);
  });

  it('sweeps on the schedule’s input', async () => {
    const r = await h.handler({ action: 'sweep' });
    expect(r).toEqual({ expired: [], reblocked: [], setsUpdated: [] });
    expect(metric('BlocksExpired')).toEqual([0]);
  });

  it('fails on an event that is not a finding, so that it reaches the dead-letter queue', async () => {
    await expect(h.handler({ source: 'aws.ec2' })).rejects.toThrow(/Not a GuardDuty finding/);
  });
});
