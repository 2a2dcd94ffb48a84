import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Address family of a blocklist IP set. */
export type Family = 'v4' | 'v6';

/** An address to block: a single-host CIDR in canonical form. */
export interface BlockTarget {
  /** `a.b.c.d/32` or an RFC 5952 IPv6 address with `/128`. */
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

/**
 * Ranges that are never a remote attacker on the internet: private, shared (CGNAT),
 * loopback, link-local, documentation, benchmarking, multicast, reserved, and the
 * IPv6 transition ranges that embed another address (IANA special-purpose registries).
 */
const RESERVED: ReadonlyArray<readonly [string, number, Family]> = [
  ['0.0.0.0', 8, 'v4'],
  ['10.0.0.0', 8, 'v4'],
  ['100.64.0.0', 10, 'v4'],
  ['127.0.0.0', 8, 'v4'],
  ['169.254.0.0', 16, 'v4'],
  ['172.16.0.0', 12, 'v4'],
  ['192.0.0.0', 24, 'v4'],
  ['192.0.2.0', 24, 'v4'],
  ['192.88.99.0', 24, 'v4'],
  ['192.168.0.0', 16, 'v4'],
  ['198.18.0.0', 15, 'v4'],
  ['198.51.100.0', 24, 'v4'],
  ['203.0.113.0', 24, 'v4'],
  ['224.0.0.0', 4, 'v4'],
  ['240.0.0.0', 4, 'v4'],
  ['::', 127, 'v6'], // unspecified and loopback
  ['::ffff:0:0', 96, 'v6'], // IPv4-mapped
  ['64:ff9b::', 96, 'v6'], // NAT64
  ['64:ff9b:1::', 48, 'v6'],
  ['100::', 64, 'v6'], // discard
  ['2001::', 23, 'v6'], // IETF protocol assignments, Teredo
  ['2001:db8::', 32, 'v6'], // documentation
  ['2002::', 16, 'v6'], // 6to4
  ['3fff::', 20, 'v6'], // documentation
  ['fc00::', 7, 'v6'], // unique local
  ['fe80::', 10, 'v6'], // link-local
  ['ff00::', 8, 'v6'], // multicast
];

const ipv4 = (family: Family) => (family === 'v4' ? 'ipv4' : 'ipv6');

/**
 * One `BlockList` per family: a `BlockList` matches IPv4 addresses against IPv6
 * rules through their IPv4-mapped form, so `::ffff:0:0/96` would cover every IPv4.
 */
function blockListsOf(
  ranges: ReadonlyArray<readonly [string, number, Family]>,
): Record<Family, BlockList> {
  const lists = { v4: new BlockList(), v6: new BlockList() };
  for (const [network, prefix, family] of ranges) {
    lists[family].addSubnet(network, prefix, ipv4(family));
  }
  return lists;
}

/** Splits CIDRs such as `203.0.113.0/24` into the tuples a `BlockList` takes. */
function cidrRanges(cidrs: readonly string[]): Array<[string, number, Family]> {
  return cidrs.map((c) => {
    const [network, bits] = c.split('/');
    const family: Family = isIPv6(network) ? 'v6' : 'v4';
    return [network, Number(bits ?? (family === 'v4' ? 32 : 128)), family];
  });
}

/** The canonical text of an IPv6 address (RFC 5952: lower case, longest zero run as `::`). */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Canonical single-host CIDR of an address, as stored in the IP sets and the table. */
export function hostCidr(address: string, family: Family): string {
  return family === 'v4' ? `${address}/32` : `${canonicalIPv6(address)}/128`;
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

/** Decides which addresses may be blocked: never reserved, trusted or malformed ones. */
export class AddressPolicy {
  private readonly reserved = blockListsOf(RESERVED);
  private readonly trusted: Record<Family, BlockList>;

  /** @param trustedCidrs the stage's `trustedCidrs`, never blocked. */
  constructor(trustedCidrs: readonly string[]) {
    this.trusted = blockListsOf(cidrRanges(trustedCidrs));
  }

  /** The block target for `address`, or the reason it is skipped. */
  classify(address: string): BlockTarget | SkippedAddress {
    // Zone ids (`fe80::1%eth0`) and anything but a bare address are malformed here.
    const family: Family | undefined = isIPv4(address)
      ? 'v4'
      : isIPv6(address) && !address.includes('%')
        ? 'v6'
        : undefined;
    if (!family) return { address, reason: 'malformed' };
    const type = ipv4(family);
    if (this.reserved[family].check(address, type)) return { address, reason: 'reserved' };
    if (this.trusted[family].check(address, type)) return { address, reason: 'trusted' };
    return { cidr: hostCidr(address, family), family };
  }
}

/** Type guard: a classified address that is to be blocked. */
export const isTarget = (c: BlockTarget | SkippedAddress): c is BlockTarget => 'cidr' in c;
