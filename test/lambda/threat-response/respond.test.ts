import { respondToFinding } from '../../../lambda/threat-response/domain/respond';
import { LOCK_ATTEMPTS } from '../../../lambda/threat-response/domain/ip-set-update';
import { finding, probeFrom, updated } from './fixtures';
import { type Harness, startHarness } from './harness';

const DAY = 86_400;
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const layers = ['origin', 'edge'] as const;

describe('respondToFinding', () => {
  it.each([
    ['network-connection-inbound', 'v4', ['185.220.101.34/32']],
    ['network-connection-ipv6', 'v6', ['2a0b:f4c0:16c:7::/64']],
    ['aws-api-call', 'v4', ['45.155.205.233/32']],
    ['port-probe-multi', 'v4', ['89.248.165.52/32', '193.142.146.35/32']],
    ['rds-login-attempt', 'v4', ['141.98.10.63/32']],
    ['kubernetes-api-call', 'v4', ['92.63.197.153/32']],
    ['lambda-network', 'v4', ['176.111.174.26/32']],
  ] as const)('blocks the remote addresses of %s in both web ACLs', async (name, family, cidrs) => {
    const d = await respondToFinding(h.responder(), finding(name));
    expect(d.outcome).toBe('blocked');
    for (const layer of layers) {
      expect(h.waf.addresses(layer, family)).toEqual(cidrs);
      expect(h.waf.addresses(layer, family === 'v4' ? 'v6' : 'v4')).toEqual([]);
    }
    // One update per set, however many addresses.
    expect(h.waf.updates).toHaveLength(2);
    const record = await h.table.get(cidrs[0]);
    expect(record).toMatchObject({
      status: 'blocked',
      findingType: finding(name).detail.type,
      offences: 1,
      expiresAt: h.time.now + 7 * DAY,
    });
  });

  it.each(['dns-request', 'private-remote-ip', 'malformed-remote-ip'])(
    'blocks nothing for %s',
    async (name) => {
      const d = await respondToFinding(h.responder(), finding(name));
      expect(d.outcome).toBe('ignored');
      expect(h.waf.updates).toHaveLength(0);
      expect(await h.table.oldestBlocked('v4', 10)).toEqual([]);
    },
  );

  it('reports why each named address was not blocked', async () => {
    const d = await respondToFinding(h.responder(), finding('malformed-remote-ip'));
    expect(d.skipped).toEqual([{ address: '999.1.2.3', reason: 'malformed' }]);
  });

  it('never blocks a trusted address', async () => {
    const event = finding('network-connection-inbound');
    event.detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4 = '81.2.69.160';
    const d = await respondToFinding(h.responder(), event);
    expect(d.skipped).toEqual([{ address: '81.2.69.160', reason: 'trusted' }]);
    expect(h.waf.addresses('edge', 'v4')).toEqual([]);
  });

  it('does not block the addresses of a sample finding', async () => {
    const d = await respondToFinding(h.responder(), finding('sample-flag'));
    expect(d.outcome).toBe('sample');
    expect(h.waf.updates).toHaveLength(0);
  });

  it('changes nothing for a redelivered event', async () => {
    const event = finding('aws-api-call');
    await respondToFinding(h.responder(), event);
    const before = await h.table.get('45.155.205.233/32');
    h.time.advanceDays(1);
    const d = await respondToFinding(h.responder(), event);
    expect(d.blocked).toEqual([expect.objectContaining({ newlyBlocked: false, offences: 1 })]);
    expect(await h.table.get('45.155.205.233/32')).toEqual(before);
    expect(h.waf.updates).toHaveLength(2); // the second delivery found the sets complete
  });

  it('extends a repeat offender’s block, doubling it up to maxBlockDays', async () => {
    const event = finding('aws-api-call');
    await respondToFinding(h.responder(), event);
    const expiries: number[] = [];
    for (const [i, at] of [
      '2026-11-26T00:00:00Z',
      '2026-11-27T00:00:00Z',
      '2026-11-28T00:00:00Z',
    ].entries()) {
      h.time.advanceDays(1);
      const d = await respondToFinding(h.responder(), updated(event, at));
      expect(d.blocked[0]).toMatchObject({ newlyBlocked: false, offences: i + 2 });
      expiries.push(d.blocked[0].expiresAt - h.time.now);
    }
    expect(expiries).toEqual([14 * DAY, 28 * DAY, 30 * DAY]);
  });

  it('keeps entries an operator added by hand', async () => {
    h.waf.seed('edge', 'v4', ['5.188.10.0/24']);
    await respondToFinding(h.responder(), finding('aws-api-call'));
    expect(h.waf.addresses('edge', 'v4')).toEqual(['5.188.10.0/24', '45.155.205.233/32']);
  });

  it('keeps the IP set description, which UpdateIPSet would otherwise reset', async () => {
    await respondToFinding(h.responder(), finding('aws-api-call'));
    const { GetIPSetCommand, WAFV2Client } = await import('@aws-sdk/client-wafv2');
    const arn = h.waf.updates[0].arn;
    const [, , id] = arn.split('/').slice(-3);
    const r = await new WAFV2Client({ region: 'eu-west-1' }).send(
      new GetIPSetCommand({ Name: arn.split('/').at(-2)!, Scope: 'REGIONAL', Id: id }),
    );
    expect(r.IPSet?.Description).toBe('Blocked by threat response, IPv4');
  });

  it('recognises an IPv6 entry WAF returns in another form', async () => {
    h.waf.seed('origin', 'v6', ['2a0b:f4c0:016c:0007:0000:0000:0000:0000/64']);
    await respondToFinding(h.responder(), finding('network-connection-ipv6'));
    expect(h.waf.addresses('origin', 'v6')).toEqual(['2a0b:f4c0:016c:0007:0000:0000:0000:0000/64']);
    expect(h.waf.addresses('edge', 'v6')).toEqual(['2a0b:f4c0:16c:7::/64']);
  });

  it('retries a lock conflict with jittered backoff', async () => {
    h.waf.injectLockConflicts = 2;
    await respondToFinding(h.responder(), finding('aws-api-call'));
    for (const layer of layers) {
      expect(h.waf.addresses(layer, 'v4')).toEqual(['45.155.205.233/32']);
    }
    expect(h.time.sleeps).toEqual([50, 100]); // random 0.5 × 100 ms, × 200 ms
  });

  it('fails after repeated lock conflicts, and a retry of the event completes the block', async () => {
    h.waf.injectLockConflicts = LOCK_ATTEMPTS;
    await expect(respondToFinding(h.responder(), finding('aws-api-call'))).rejects.toThrow(
      /changed since it was read/,
    );
    expect(await h.table.get('45.155.205.233/32')).toMatchObject({ status: 'blocked' });
    expect(h.waf.addresses('origin', 'v4')).toEqual([]);
    const retry = await respondToFinding(h.responder(), finding('aws-api-call'));
    // The retry is what blocks the address: it reports the block as new (and pages).
    expect(retry.blocked).toEqual([expect.objectContaining({ newlyBlocked: true })]);
    for (const layer of layers) {
      expect(h.waf.addresses(layer, 'v4')).toEqual(['45.155.205.233/32']);
    }
  });

  it('fails when a web ACL has not published its blocklist, without losing the record', async () => {
    h.waf.unpublish('edge');
    await expect(respondToFinding(h.responder(), finding('aws-api-call'))).rejects.toThrow(
      /blocklist parameter .*edge.* not found in us-east-1/i,
    );
    expect(await h.table.get('45.155.205.233/32')).toMatchObject({ status: 'blocked' });
  });

  it('evicts the soonest-expiring blocks when a set is full', async () => {
    const r = h.responder({ capacity: 2 });
    await respondToFinding(r, finding('aws-api-call')); // expires day 7
    h.time.advanceDays(1);
    await respondToFinding(r, finding('rds-login-attempt')); // expires day 8
    h.time.advanceDays(1);
    const d = await respondToFinding(r, finding('kubernetes-api-call'));
    expect(d.evicted).toEqual(['45.155.205.233/32']);
    for (const layer of layers) {
      expect(h.waf.addresses(layer, 'v4').sort()).toEqual(['141.98.10.63/32', '92.63.197.153/32']);
    }
    expect(await h.table.get('45.155.205.233/32')).toMatchObject({ status: 'evicted' });
  });

  it('records no block for an address that fits in no set', async () => {
    h.waf.seed('edge', 'v4', ['5.188.10.0/24', '5.188.11.0/24']);
    h.waf.seed('origin', 'v4', ['5.188.10.0/24', '5.188.11.0/24']);
    const d = await respondToFinding(h.responder({ capacity: 2 }), finding('aws-api-call'));
    expect(d.outcome).toBe('ignored');
    expect(d.dropped).toEqual(['45.155.205.233/32']);
    expect(await h.table.get('45.155.205.233/32')).toMatchObject({ status: 'evicted' });
  });

  it('drops what does not fit when the set is full of entries it did not add', async () => {
    h.waf.seed('edge', 'v4', ['5.188.10.0/24', '5.188.11.0/24']);
    const d = await respondToFinding(h.responder({ capacity: 2 }), finding('aws-api-call'));
    expect(d.dropped).toEqual(['45.155.205.233/32']);
    expect(h.waf.addresses('edge', 'v4')).toEqual(['5.188.10.0/24', '5.188.11.0/24']);
    expect(h.waf.addresses('origin', 'v4')).toEqual(['45.155.205.233/32']);
  });
});

describe('respondToFinding: IPv6 viewers by their /64', () => {
  it('blocks one /64 for two addresses of it, the mapped IPv4 as IPv4, and skips reserved IPv6', async () => {
    const d = await respondToFinding(
      h.responder(),
      probeFrom([
        '2a0b:f4c0:16c:7::1',
        '2a0b:f4c0:16c:7:abcd::2',
        '2a0b:f4c0:16c:8::1',
        '4000::1',
        'fec0::1',
        '::ffff:45.155.205.233',
        '45.155.205.233',
      ]),
    );
    for (const layer of layers) {
      expect(h.waf.addresses(layer, 'v6')).toEqual([
        '2a0b:f4c0:16c:7::/64',
        '2a0b:f4c0:16c:8::/64',
      ]);
      expect(h.waf.addresses(layer, 'v4')).toEqual(['45.155.205.233/32']);
    }
    expect(d.blocked.map((b) => b.cidr)).toEqual([
      '2a0b:f4c0:16c:7::/64',
      '2a0b:f4c0:16c:8::/64',
      '45.155.205.233/32',
    ]);
    expect(d.skipped).toEqual([
      { address: '4000::1', reason: 'reserved' },
      { address: 'fec0::1', reason: 'reserved' },
    ]);
    expect(await h.table.get('2a0b:f4c0:16c:7::/64')).toMatchObject({
      family: 'v6',
      status: 'blocked',
      offences: 1,
    });
  });

  it('counts another host of a blocked /64 as a repeat offence of that block', async () => {
    await respondToFinding(h.responder(), finding('network-connection-ipv6'));
    h.time.advanceDays(1);
    const d = await respondToFinding(
      h.responder(),
      probeFrom(['2a0b:f4c0:16c:7:1:2:3:4'], { updatedAt: '2026-11-26T12:00:00.000Z' }),
    );
    expect(d.blocked).toEqual([
      expect.objectContaining({ cidr: '2a0b:f4c0:16c:7::/64', newlyBlocked: false, offences: 2 }),
    ]);
    expect(h.waf.addresses('edge', 'v6')).toEqual(['2a0b:f4c0:16c:7::/64']);
  });
});

/** `count` public IPv4 addresses of 45.<block>.0.0/16, distinct per block. */
const addressesOf = (block: number, count: number) =>
  Array.from({ length: count }, (_, i) => `45.${block}.${i >> 8}.${(i & 255) + 1}`);

describe('respondToFinding: one finding cannot flush the blocklist', () => {
  it('takes at most maxAddressesPerFinding blocks of one finding and reports the rest', async () => {
    const named = addressesOf(10, 5);
    const d = await respondToFinding(h.responder({ maxAddressesPerFinding: 3 }), probeFrom(named));
    const cidrs = named.map((a) => `${a}/32`);
    expect(d.blocked.map((b) => b.cidr)).toEqual(cidrs.slice(0, 3));
    expect(d.beyondCap).toEqual(cidrs.slice(3));
    for (const layer of layers) expect(h.waf.addresses(layer, 'v4')).toEqual(cidrs.slice(0, 3));
    // Beyond the cap nothing is recorded: no offence counted, nothing for the sweep.
    expect(await h.table.get(cidrs[3])).toBeUndefined();
  });

  it('counts the cap in blocks: reserved addresses and hosts of one /64 use none of it', async () => {
    const d = await respondToFinding(
      h.responder({ maxAddressesPerFinding: 2 }),
      probeFrom(['10.0.0.1', '4000::1', '2a0b:f4c0:16c:7::1', '2a0b:f4c0:16c:7::2', '5.188.10.1']),
    );
    expect(d.beyondCap).toEqual([]);
    expect(d.blocked.map((b) => b.cidr)).toEqual(['2a0b:f4c0:16c:7::/64', '5.188.10.1/32']);
  });

  it('keeps a full set of repeat offenders when a finding names as many addresses as the set holds', async () => {
    const capacity = 10;
    const setup = h.responder({ capacity, maxAddressesPerFinding: capacity });
    // Eight repeat offenders (third offence: 28 days) and two first offenders (7 days).
    const repeat = addressesOf(1, 8);
    for (const at of ['2026-11-25T12:00:00Z', '2026-11-25T12:10:00Z', '2026-11-25T12:20:00Z']) {
      await respondToFinding(setup, probeFrom(repeat, { id: 'repeat', updatedAt: at }));
    }
    const once = addressesOf(2, 2);
    await respondToFinding(setup, probeFrom(once, { id: 'once' }));
    for (const layer of layers) expect(h.waf.addresses(layer, 'v4')).toHaveLength(capacity);

    h.time.advanceDays(1);
    const flood = addressesOf(3, capacity + 5);
    const cidrs = flood.map((a) => `${a}/32`);
    const r = h.responder({ capacity, maxAddressesPerFinding: 4 });
    const d = await respondToFinding(r, probeFrom(flood, { id: 'flood' }));

    // The cap: four blocks taken, the other eleven reported.
    expect(d.beyondCap).toEqual(cidrs.slice(4));
    // Only blocks ending before the newcomers' (day 8) leave: the first offenders (day 7).
    expect(d.evicted.sort()).toEqual(once.map((a) => `${a}/32`).sort());
    expect(d.blocked.map((b) => b.cidr)).toEqual(cidrs.slice(0, 2));
    // No block ended sooner for the other two: they are not blocked, and say so.
    expect(d.dropped).toEqual(cidrs.slice(2, 4));
    const newcomersEnd = Math.min(...d.blocked.map((b) => b.expiresAt));
    for (const address of d.evicted) {
      const record = await h.table.get(address);
      expect(record).toMatchObject({ status: 'evicted' });
      expect(record!.expiresAt).toBeLessThan(newcomersEnd);
    }
    for (const layer of layers) {
      expect(h.waf.addresses(layer, 'v4').sort()).toEqual(
        [...repeat.map((a) => `${a}/32`), ...cidrs.slice(0, 2)].sort(),
      );
    }
    for (const a of repeat) {
      expect(await h.table.get(`${a}/32`)).toMatchObject({ status: 'blocked', offences: 3 });
    }
    for (const a of cidrs.slice(2, 4)) {
      expect(await h.table.get(a)).toMatchObject({ status: 'evicted' });
    }
    expect(await h.table.get(cidrs[4])).toBeUndefined();

    // A second flood finds nothing that ends before its blocks: it blocks nothing.
    const again = addressesOf(4, capacity);
    const d2 = await respondToFinding(r, probeFrom(again, { id: 'flood-2' }));
    expect(d2).toMatchObject({ outcome: 'ignored', evicted: [], blocked: [] });
    expect(d2.dropped).toEqual(again.slice(0, 4).map((a) => `${a}/32`));
    expect(d2.beyondCap).toHaveLength(capacity - 4);
    for (const layer of layers) expect(h.waf.addresses(layer, 'v4')).toHaveLength(capacity);
  });

  it('lets a returning offender, whose block outlives the soonest one, take its place', async () => {
    const r = h.responder({ capacity: 2 });
    await respondToFinding(r, finding('aws-api-call')); // 45.155.205.233, day 7
    await respondToFinding(r, finding('rds-login-attempt')); // 141.98.10.63, day 7
    h.time.advanceDays(1);
    const newcomer = await respondToFinding(r, finding('kubernetes-api-call')); // day 8
    expect(newcomer.evicted).toHaveLength(1);
    const [gone] = newcomer.evicted;
    h.time.advanceDays(1);
    // The evicted address is seen again: second offence, 14 days, ends after both others.
    const event = probeFrom([gone.replace('/32', '')], { updatedAt: '2026-11-27T12:00:00.000Z' });
    const back = await respondToFinding(r, event);
    expect(back.blocked).toEqual([
      expect.objectContaining({ cidr: gone, newlyBlocked: true, offences: 2 }),
    ]);
    // It evicts the day-7 block still there, not the day-8 one.
    const other = ['45.155.205.233/32', '141.98.10.63/32'].find((a) => a !== gone);
    expect(back.evicted).toEqual([other]);
  });

  it('does not evict a block that ends when the newcomer would', async () => {
    const r = h.responder({ capacity: 2 });
    await respondToFinding(r, probeFrom(['5.188.10.1', '5.188.10.2'], { id: 'a' }));
    const d = await respondToFinding(r, probeFrom(['5.188.10.3'], { id: 'b' })); // same time
    expect(d).toMatchObject({ outcome: 'ignored', evicted: [], dropped: ['5.188.10.3/32'] });
    expect(h.waf.addresses('edge', 'v4')).toEqual(['5.188.10.1/32', '5.188.10.2/32']);
  });
});
