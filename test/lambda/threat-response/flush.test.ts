import { PublishCommand } from '@aws-sdk/client-sns';
import type { Decision } from '../../../lambda/threat-response/domain/respond';
import { useThreatHandler } from './handler-harness';
import { probeFrom } from './fixtures';

// A small blocklist (10 per set) and the per-finding cap (4), through the real handler.
const CAPACITY = 10;
const CAP = 4;
const h = useThreatHandler({
  MAX_ADDRESSES_PER_SET: String(CAPACITY),
  MAX_ADDRESSES_PER_FINDING: String(CAP),
});
const { sns, metric } = h;

const addressesOf = (block: number, count: number) =>
  Array.from({ length: count }, (_, i) => `45.${block}.0.${i + 1}`);

describe('threat-response handler: a finding that would flush the blocklist', () => {
  const offenders = [addressesOf(1, 4), addressesOf(2, 4), addressesOf(3, 2)];

  it('fills both sets with repeat offenders first (third offence: 28 days)', async () => {
    for (const [i, group] of offenders.entries()) {
      for (const at of ['2026-11-25T12:00:00Z', '2026-11-25T13:00:00Z', '2026-11-25T14:00:00Z']) {
        await h.handler(probeFrom(group, { id: `repeat-${i}`, updatedAt: at }));
      }
    }
    for (const layer of ['origin', 'edge'] as const) {
      expect(h.waf.addresses(layer, 'v4')).toHaveLength(CAPACITY);
    }
    expect(metric('AddressesOverCap')).toEqual(Array(9).fill(0));
  });

  it('caps the finding, evicts none of them, reports what it did not block and alarms', async () => {
    const flood = addressesOf(9, CAPACITY + 2).map((a) => `${a}/32`);
    const before = h.waf.addresses('edge', 'v4');
    const d = (await h.handler(probeFrom(flood.map((c) => c.replace('/32', ''))))) as Decision;

    expect(d.outcome).toBe('ignored');
    expect(d.beyondCap).toEqual(flood.slice(CAP));
    // Every block in the sets outlives the newcomers' 7 days: none is evicted, and the
    // capped newcomers find no room.
    expect(d.evicted).toEqual([]);
    expect(d.dropped).toEqual(flood.slice(0, CAP));
    expect(d.blocked).toEqual([]);
    for (const layer of ['origin', 'edge'] as const) {
      expect(h.waf.addresses(layer, 'v4')).toEqual(before);
    }
    expect(metric('AddressesOverCap')).toEqual([CAPACITY + 2 - CAP]);
    expect(metric('BlocksDropped')).toEqual([CAP]);
    expect(metric('BlocksEvicted')).toEqual([0]);

    const [call] = sns.commandCalls(PublishCommand);
    const { Subject, Message } = call.args[0].input;
    expect(Subject).toBe(
      `Bulwark staging: ${CAPACITY + 2} not blocked (Recon:EC2/PortProbeUnprotectedPort)`,
    );
    expect(Message).toContain(
      `Per-finding cap reached: ${CAPACITY + 2 - CAP} addresses beyond it not blocked (threatResponse.maxAddressesPerFinding):`,
    );
    expect(Message).toContain(`- ${flood[CAP]}`);
    expect(Message).toContain(
      `${CAP} address(es) left out of a set, as no block there ended sooner`,
    );
  });
});
