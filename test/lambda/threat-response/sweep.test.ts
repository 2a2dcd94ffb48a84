import { respondToFinding } from '../../../lambda/threat-response/domain/respond';
import { sweepExpiredBlocks } from '../../../lambda/threat-response/domain/sweep';
import { finding } from './fixtures';
import { type Harness, startHarness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const sweeper = () => ({ ...h.responder(), capacity: 10_000 });

describe('sweepExpiredBlocks', () => {
  it('removes expired blocks from every set and marks them expired', async () => {
    await respondToFinding(h.responder(), finding('aws-api-call'));
    await respondToFinding(h.responder(), finding('network-connection-ipv6'));
    h.time.advanceDays(3);
    await respondToFinding(h.responder(), finding('rds-login-attempt'));
    h.waf.seed('origin', 'v4', [...h.waf.addresses('origin', 'v4'), '5.188.10.0/24']);
    h.time.advanceDays(5); // the first two are past their 7 days
    const r = await sweepExpiredBlocks(sweeper());
    expect(r.expired.sort()).toEqual(['2a0b:f4c0:16c:7::/64', '45.155.205.233/32']);
    expect(h.waf.addresses('origin', 'v4')).toEqual(['141.98.10.63/32', '5.188.10.0/24']);
    expect(h.waf.addresses('edge', 'v4')).toEqual(['141.98.10.63/32']);
    expect(h.waf.addresses('edge', 'v6')).toEqual([]);
    expect(await h.table.get('45.155.205.233/32')).toMatchObject({ status: 'expired' });
    expect(await h.table.get('141.98.10.63/32')).toMatchObject({ status: 'blocked' });
  });

  it('removes an IPv6 /64 block WAF returns in another form', async () => {
    await respondToFinding(h.responder(), finding('network-connection-ipv6'));
    h.waf.seed('edge', 'v6', ['2A0B:F4C0:016C:0007:0000:0000:0000:0000/64', '2a0b:f4c0:99::/48']);
    h.time.advanceDays(8);
    const r = await sweepExpiredBlocks(sweeper());
    expect(r.expired).toEqual(['2a0b:f4c0:16c:7::/64']);
    expect(h.waf.addresses('edge', 'v6')).toEqual(['2a0b:f4c0:99::/48']);
    expect(h.waf.addresses('origin', 'v6')).toEqual([]);
  });

  it('still removes an IPv6 block recorded as a /128 before blocks became /64s', async () => {
    const now = h.time.now;
    await h.table.put(
      {
        address: '2a0b:f4c0:16c:7::1/128',
        family: 'v6',
        status: 'blocked',
        findingId: '2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e1b',
        findingType: 'Backdoor:EC2/C&CActivity.B',
        severity: 8,
        offences: 1,
        recentSightings: ['2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e1b@2024-05-15T17:42:56.031Z'],
        firstSeen: now,
        lastSeen: now,
        expiresAt: now + 7 * 86_400,
        version: 1,
      },
      undefined,
    );
    for (const layer of ['origin', 'edge'] as const) {
      h.waf.seed(layer, 'v6', ['2a0b:f4c0:16c:7::1/128']);
    }
    h.time.advanceDays(8);
    const r = await sweepExpiredBlocks(sweeper());
    expect(r.expired).toEqual(['2a0b:f4c0:16c:7::1/128']);
    for (const layer of ['origin', 'edge'] as const) {
      expect(h.waf.addresses(layer, 'v6')).toEqual([]);
    }
  });

  it('does nothing when no block has expired', async () => {
    await respondToFinding(h.responder(), finding('aws-api-call'));
    const updates = h.waf.updates.length;
    h.time.advanceDays(6);
    expect(await sweepExpiredBlocks(sweeper())).toEqual({
      expired: [],
      reblocked: [],
      setsUpdated: [],
    });
    expect(h.waf.updates).toHaveLength(updates);
  });

  it('puts back an address blocked again while the sweep ran', async () => {
    await respondToFinding(h.responder(), finding('aws-api-call'));
    h.time.advanceDays(8);
    const s = sweeper();
    // A finding arrives between the sweep's query and its release of the record.
    const release = s.table.release.bind(s.table);
    s.table.release = async (address, status, by) => {
      const again = finding('aws-api-call');
      again.detail.updatedAt = '2026-12-03T00:00:00Z';
      await respondToFinding(h.responder(), again);
      return release(address, status, by);
    };
    const r = await sweepExpiredBlocks({ ...s, table: s.table });
    expect(r.reblocked).toEqual(['45.155.205.233/32']);
    for (const layer of ['origin', 'edge'] as const) {
      expect(h.waf.addresses(layer, 'v4')).toEqual(['45.155.205.233/32']);
    }
    expect(await h.table.get('45.155.205.233/32')).toMatchObject({
      status: 'blocked',
      offences: 2,
    });
  });

  it('does not block again on a late redelivery of the event that caused an ended block', async () => {
    const event = finding('aws-api-call');
    await respondToFinding(h.responder(), event);
    h.time.advanceDays(8);
    await sweepExpiredBlocks(sweeper());
    const d = await respondToFinding(h.responder(), event); // e.g. redriven from the DLQ
    expect(d.outcome).toBe('ignored');
    for (const layer of ['origin', 'edge'] as const) {
      expect(h.waf.addresses(layer, 'v4')).toEqual([]);
    }
  });

  it('blocks an expired address again on a new finding, counting the earlier offence', async () => {
    await respondToFinding(h.responder(), finding('aws-api-call'));
    h.time.advanceDays(8);
    await sweepExpiredBlocks(sweeper());
    const again = finding('aws-api-call');
    again.detail.updatedAt = '2026-12-04T00:00:00Z';
    const d = await respondToFinding(h.responder(), again);
    expect(d.blocked[0]).toMatchObject({ newlyBlocked: true, offences: 2 });
    expect(h.waf.addresses('edge', 'v4')).toEqual(['45.155.205.233/32']);
  });
});
