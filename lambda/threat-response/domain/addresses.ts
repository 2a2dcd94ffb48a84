import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Address family of a blocklist IP set. */
export type Family = 'v4' | 'v6';

/** What is blocked for one address: an IPv4 host, or the /64 an IPv6 host sits in. */
export interface BlockTarget {
  /** `a.b.c.d/32`, or the RFC 5952 network of an IPv6 address's `/64` (`2001:db8:1:2::/64`). */
  readonly cidr: string;
  readonly family: Family;
}

/** Why an address is never blocked. */
export type SkipReason = 'malformed' | 'reserved' | 'trusted';

/** An address the finding named that is not blocked, and why. */
export interface SkippedAddress {
  readonly address: string;
  readonly reason: SkipReason;
}

/** Prefix length of an IPv6 block: one host (a SLAAC interface, a VPS) controls a whole /64. */
export const IPV6_BLOCK_PREFIX = 64;

/**
 * IPv4 ranges that are never a remote attacker on the internet: private, shared
 * (CGNAT), loopback, link-local, documentation, benchmarking, multicast and reserved
 * (IANA IPv4 special-purpose registry).
 */
const RESERVED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * The IPv6 global unicast range. Everything outside it is reserved here: unspecified,
 * loopback, IPv4-compatible, NAT64, discard, unique local, link-local, site-local,
 * multicast, SRv6 SIDs and the IETF-reserved space (`4000::/3` and up). IPv4-mapped
 * addresses (`::ffff:0:0/96`) are read as the IPv4 address they carry.
 */
export const GLOBAL_UNICAST_V6 = '2000::/3';

/**
 * Special-purpose ranges inside {@link GLOBAL_UNICAST_V6} (IANA IPv6 special-purpose
 * registry): IETF protocol assignments and Teredo, documentation, and 6to4 (which
 * embeds an IPv4 address). Each is wider than a /64, so a /64 block is inside one or
 * outside all.
 */
const RESERVED_V6_CARVE_OUTS: readonly string[] = [
  '2001::/23', // IETF protocol assignments, Teredo, benchmarking, ORCHID
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4
  '3fff::/20', // documentation
];

/** An IPv6 range as a number and a prefix length. */
interface V6Range {
  readonly network: bigint;
  readonly prefix: number;
}

const V6_BITS = 128;
const MAPPED_V4_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96

/** The canonical text of an IPv6 address (RFC 5952: lower case, longest zero run as `::`). */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The 128-bit value of an IPv6 address (embedded IPv4 notation included). */
export function ipv6Value(address: string): bigint {
  // The URL parser's serialization is pure hex groups, with at most one `::`.
  const [head, tail] = canonicalIPv6(address).split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((v, g) => (v << 16n) | BigInt(`0x${g}`), 0n);
}

/** The canonical text of a 128-bit IPv6 value. */
export function ipv6Text(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return canonicalIPv6(groups.join(':'));
}

/** `value` with every bit after the first `prefix` cleared. */
const networkOf = (value: bigint, prefix: number) => {
  const host = V6_BITS - prefix;
  return (value >> BigInt(host)) << BigInt(host);
};

/** The `/64` an IPv6 address belongs to, in canonical form (`2001:db8:1:2::/64`). */
export function ipv6Block(address: string): string {
  return `${ipv6Text(networkOf(ipv6Value(address), IPV6_BLOCK_PREFIX))}/${IPV6_BLOCK_PREFIX}`;
}

function v6Range(cidr: string): V6Range {
  const [network, bits] = cidr.split('/');
  const prefix = Number(bits ?? V6_BITS);
  return { network: networkOf(ipv6Value(network), prefix), prefix };
}

/** Whether `range` and the block `value/prefix` share an address. */
const overlaps = (range: V6Range, value: bigint, prefix: number) => {
  const common = Math.min(range.prefix, prefix);
  return networkOf(range.network, common) === networkOf(value, common);
};

const GLOBAL_UNICAST = v6Range(GLOBAL_UNICAST_V6);

/** Canonical `/32` of an IPv4 address, as stored in the IP sets and the table. */
export function hostCidr(address: string): string {
  return `${address}/32`;
}

/**
 * Canonical form of a CIDR read from an IP set, so that `1111:0000::0111/128` and
 * `1111::111/128` compare equal. Unparseable entries are returned unchanged.
 */
export function canonicalCidr(cidr: string): string {
  const [network, bits] = cidr.split('/');
  if (isIPv6(network)) return `${canonicalIPv6(network)}/${bits ?? '128'}`;
  return cidr;
}

/**
 * Decides which addresses may be blocked, and as what: never a reserved, trusted or
 * malformed address. IPv4 addresses are blocked as their `/32`; IPv6 addresses of the
 * global unicast range as their `/64`, unless that /64 touches a trusted CIDR.
 */
export class AddressPolicy {
  private readonly reservedV4 = new BlockList();
  private readonly trustedV4 = new BlockList();
  private readonly reservedV6 = RESERVED_V6_CARVE_OUTS.map(v6Range);
  private readonly trustedV6: V6Range[] = [];

  /** @param trustedCidrs the stage's `trustedCidrs`, never blocked. */
  constructor(trustedCidrs: readonly string[]) {
    for (const [network, prefix] of RESERVED_V4) this.reservedV4.addSubnet(network, prefix, 'ipv4');
    for (const cidr of trustedCidrs) {
      const [network, bits] = cidr.split('/');
      if (isIPv6(network)) this.trustedV6.push(v6Range(cidr));
      else this.trustedV4.addSubnet(network, Number(bits ?? 32), 'ipv4');
    }
  }

  /** The block target for `address`, or the reason it is skipped. */
  classify(address: string): BlockTarget | SkippedAddress {
    if (isIPv4(address)) return this.classifyV4(address, address);
    // Zone ids (`fe80::1%eth0`) and anything but a bare address are malformed here.
    if (!isIPv6(address) || address.includes('%')) return { address, reason: 'malformed' };
    const value = ipv6Value(address);
    if (networkOf(value, 96) === MAPPED_V4_PREFIX) {
      // A dual-stack socket's view of an IPv4 peer: block (or skip) that IPv4 address,
      // unless a trusted IPv6 CIDR names the mapped form.
      if (this.trustedV6.some((r) => overlaps(r, value, V6_BITS))) {
        return { address, reason: 'trusted' };
      }
      return this.classifyV4(address, mappedIPv4(value));
    }
    if (
      !overlaps(GLOBAL_UNICAST, value, GLOBAL_UNICAST.prefix) ||
      this.reservedV6.some((r) => overlaps(r, value, IPV6_BLOCK_PREFIX))
    ) {
      return { address, reason: 'reserved' };
    }
    if (this.trustedV6.some((r) => overlaps(r, value, IPV6_BLOCK_PREFIX))) {
      return { address, reason: 'trusted' };
    }
    return { cidr: ipv6Block(address), family: 'v6' };
  }

  /** `ipv4` is the address to judge; `address` is what the finding wrote. */
  private classifyV4(address: string, ipv4: string): BlockTarget | SkippedAddress {
    if (this.reservedV4.check(ipv4, 'ipv4')) return { address, reason: 'reserved' };
    if (this.trustedV4.check(ipv4, 'ipv4')) return { address, reason: 'trusted' };
    return { cidr: hostCidr(ipv4), family: 'v4' };
  }
}

/** The IPv4 address carried by an IPv4-mapped IPv6 value (`::ffff:a.b.c.d`). */
function mappedIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

/** Type guard: a classified address that is to be blocked. */
export const isTarget = (c: BlockTarget | SkippedAddress): c is BlockTarget => 'cidr' in c;
