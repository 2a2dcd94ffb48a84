import { BlockList } from 'node:net';
import fc from 'fast-check';
import {
  AddressPolicy,
  canonicalCidr,
  ipv6Block,
} from '../../../lambda/threat-response/domain/addresses';

const TRUSTED = ['81.2.69.0/24', '2a02:1388::/32', '2a0b:1::5/128'];
const policy = new AddressPolicy(TRUSTED);

describe('AddressPolicy', () => {
  it.each([
    ['45.155.205.233', '45.155.205.233/32', 'v4'],
    ['2A0B:F4C0:016C:0007:0000:0000:0000:0001', '2a0b:f4c0:16c:7::/64', 'v6'],
    ['2a0b:f4c0:16c:7::1', '2a0b:f4c0:16c:7::/64', 'v6'],
    ['2a0b:f4c0:16c:7:ffff:ffff:ffff:ffff', '2a0b:f4c0:16c:7::/64', 'v6'],
    ['2600::', '2600::/64', 'v6'],
    ['3ffe:ffff:0:1::1', '3ffe:ffff:0:1::/64', 'v6'],
    ['2a0b:1:0:1::99', '2a0b:1:0:1::/64', 'v6'], // next to a trusted /128, not around it
  ])('blocks %s as %s', (address, cidr, family) => {
    expect(policy.classify(address)).toEqual({ cidr, family });
  });

  it.each([
    ['10.0.3.12', 'reserved'],
    ['172.31.255.1', 'reserved'],
    ['192.168.1.1', 'reserved'],
    ['100.64.0.1', 'reserved'],
    ['127.0.0.1', 'reserved'],
    ['169.254.169.254', 'reserved'],
    ['0.0.0.0', 'reserved'],
    ['224.0.0.251', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['::1', 'reserved'],
    ['::', 'reserved'],
    ['::2', 'reserved'],
    ['1::', 'reserved'],
    ['4000::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    ['4000::', 'reserved'],
    ['::1.2.3.4', 'reserved'], // IPv4-compatible (deprecated)
    ['64:ff9b::45.155.205.233', 'reserved'], // NAT64
    ['100::1', 'reserved'],
    ['fe80::1', 'reserved'],
    ['fd12:3456::1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['::ffff:10.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'], // Teredo
    ['2002:2d9b:cde9::1', 'reserved'], // 6to4
    ['3fff::1', 'reserved'],
    ['81.2.69.160', 'trusted'],
    ['::ffff:81.2.69.160', 'trusted'],
    ['2a02:1388:1:2::3', 'trusted'],
    // The /64 would cover a trusted /128: never blocked.
    ['2a0b:1::99', 'trusted'],
    ['999.1.2.3', 'malformed'],
    ['1.2.3', 'malformed'],
    [' 45.155.205.233', 'malformed'],
    ['45.155.205.233/32', 'malformed'],
    ['2a0b::1%eth0', 'malformed'],
    ['example.com', 'malformed'],
    ['', 'malformed'],
  ])('never blocks %s (%s)', (address, reason) => {
    expect(policy.classify(address)).toEqual({ address, reason });
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    for (const mapped of ['::ffff:45.155.205.233', '::FFFF:2d9b:cde9']) {
      expect(policy.classify(mapped)).toEqual({ cidr: '45.155.205.233/32', family: 'v4' });
    }
  });

  it('does not let an IPv6 rule cover IPv4 addresses', () => {
    expect(new AddressPolicy([]).classify('8.8.4.4')).toEqual({
      cidr: '8.8.4.4/32',
      family: 'v4',
    });
  });
});

/* Independent oracles for the properties: plain integer arithmetic and Node's own parser. */

const V6_MAX = (1n << 128n) - 1n;
const hex4 = (v: bigint, group: number) => ((v >> BigInt(112 - 16 * group)) & 0xffffn).toString(16);
/** Full, uncompressed text (optionally upper case): another form than the canonical one. */
const fullText = (v: bigint, upper: boolean) => {
  const text = Array.from({ length: 8 }, (_, g) => hex4(v, g).padStart(4, '0')).join(':');
  return upper ? text.toUpperCase() : text;
};
const compressedText = (v: bigint) =>
  new URL(`http://[${Array.from({ length: 8 }, (_, g) => hex4(v, g)).join(':')}]/`).hostname.slice(
    1,
    -1,
  );
const v6Text = fc.tuple(fc.boolean(), fc.boolean()).map(
  ([full, upper]) =>
    (v: bigint) =>
      full ? fullText(v, upper) : compressedText(v),
);

/** A 128-bit value whose top three bits are `top`. */
const withTop3 = (top: fc.Arbitrary<number>) =>
  fc
    .tuple(top, fc.bigInt({ min: 0n, max: (1n << 125n) - 1n }))
    .map(([t, rest]) => (BigInt(t) << 125n) | rest);

/** Special-purpose ranges inside 2000::/3 (IANA), written out independently. */
const CARVE_OUTS: Array<[bigint, number]> = [
  [0x2001n << 112n, 23],
  [(0x2001n << 112n) | (0x0db8n << 96n), 32],
  [0x2002n << 112n, 16],
  [0x3fffn << 112n, 20],
  [0x2a021388n << 96n, 32], // trusted
  [(0x2a0bn << 112n) | (0x1n << 96n), 64], // the /64 around the trusted 2a0b:1::5/128
];
const inRange = (v: bigint, [net, bits]: [bigint, number]) =>
  v >> BigInt(128 - bits) === net >> BigInt(128 - bits);

describe('AddressPolicy (properties)', () => {
  it('never blocks an IPv6 address outside 2000::/3 (IPv4-mapped ones are IPv4)', () => {
    fc.assert(
      fc.property(withTop3(fc.constantFrom(0, 2, 3, 4, 5, 6, 7)), v6Text, (v, text) => {
        fc.pre(v >> 32n !== 0xffffn); // ::ffff:0:0/96, read as IPv4 below
        const address = text(v);
        expect(policy.classify(address)).toEqual({ address, reason: 'reserved' });
      }),
      { numRuns: 5_000 },
    );
  });

  it('draws addresses outside 2000::/3 from every reserved corner too', () => {
    const corners = fc.constantFrom(0n, 1n, 2n, 0x1fffn << 112n, 0x4000n << 112n, V6_MAX);
    fc.assert(
      fc.property(corners, fc.bigInt({ min: 0n, max: 0xffffn }), (base, low) => {
        const address = compressedText(base ^ low); // the low 16 bits only
        expect(policy.classify(address)).toEqual({ address, reason: 'reserved' });
      }),
    );
  });

  it('blocks any address of a global unicast /64 as exactly that /64', () => {
    fc.assert(
      fc.property(
        withTop3(fc.constant(1)),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        v6Text,
        (v, otherHost, text) => {
          fc.pre(!CARVE_OUTS.some((r) => inRange(v, r)));
          const network = (v >> 64n) << 64n;
          const expected = `${compressedText(network)}/64`;
          const got = policy.classify(text(v));
          expect(got).toEqual({ cidr: expected, family: 'v6' });
          // The same /64 for every host in it (one block), and the block holds the address.
          expect(policy.classify(compressedText(network | otherHost))).toEqual(got);
          const list = new BlockList();
          list.addSubnet(compressedText(network), 64, 'ipv6');
          expect(list.check(compressedText(v), 'ipv6')).toBe(true);
          expect(ipv6Block(text(v))).toBe(expected);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('skips every address of the reserved ranges inside 2000::/3', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CARVE_OUTS.slice(0, 4)),
        fc.bigInt({ min: 0n, max: V6_MAX }),
        ([net, bits], host) => {
          const mask = (1n << BigInt(128 - bits)) - 1n;
          const address = compressedText(net | (host & mask));
          expect(policy.classify(address)).toEqual({ address, reason: 'reserved' });
        },
      ),
    );
  });

  const RESERVED_V4: Array<[number, number]> = [
    [0x00000000, 8],
    [0x0a000000, 8],
    [0x64400000, 10],
    [0x7f000000, 8],
    [0xa9fe0000, 16],
    [0xac100000, 12],
    [0xc0000000, 24],
    [0xc0000200, 24],
    [0xc0586300, 24],
    [0xc0a80000, 16],
    [0xc6120000, 15],
    [0xc6336400, 24],
    [0xcb007100, 24],
    [0xe0000000, 4],
    [0xf0000000, 4],
  ];
  const TRUSTED_V4: [number, number] = [0x51024500, 24];
  const v4In = (n: number, [net, bits]: [number, number]) =>
    n >>> (32 - bits) === net >>> (32 - bits);
  const v4Text = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  const anyV4 = fc.integer({ min: 0, max: 0xffffffff });

  it('blocks a public IPv4 address as its /32, also written IPv4-mapped', () => {
    fc.assert(
      fc.property(anyV4, (n) => {
        fc.pre(![...RESERVED_V4, TRUSTED_V4].some((r) => v4In(n, r)));
        const target = { cidr: `${v4Text(n)}/32`, family: 'v4' };
        expect(policy.classify(v4Text(n))).toEqual(target);
        expect(policy.classify(`::ffff:${v4Text(n)}`)).toEqual(target);
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps skipping every reserved IPv4 address, also written IPv4-mapped', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESERVED_V4), anyV4, ([net, bits], host) => {
        const mask = bits === 0 ? 0xffffffff : 2 ** (32 - bits) - 1;
        const n = (net | (host & mask)) >>> 0;
        for (const address of [v4Text(n), `::ffff:${v4Text(n)}`]) {
          expect(policy.classify(address)).toEqual({ address, reason: 'reserved' });
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('canonicalCidr', () => {
  it('writes IPv6 entries as WAF may return them in one form', () => {
    expect(canonicalCidr('1111:0000:0000:0000:0000:0000:0000:0111/128')).toBe('1111::111/128');
    expect(canonicalCidr('2A0B:F4C0:016C:0007:0000:0000:0000:0000/64')).toBe(
      '2a0b:f4c0:16c:7::/64',
    );
    expect(canonicalCidr('45.155.205.233/32')).toBe('45.155.205.233/32');
  });
});
