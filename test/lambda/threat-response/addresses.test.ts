import { AddressPolicy, canonicalCidr } from '../../../lambda/threat-response/domain/addresses';

const policy = new AddressPolicy(['81.2.69.0/24', '2a02:1388::/32']);

describe('AddressPolicy', () => {
  it.each([
    ['45.155.205.233', '45.155.205.233/32', 'v4'],
    ['2A0B:F4C0:016C:0007:0000:0000:0000:0001', '2a0b:f4c0:16c:7::1/128', 'v6'],
    ['2a0b:f4c0:16c:7::1', '2a0b:f4c0:16c:7::1/128', 'v6'],
  ])('blocks %s as the single host %s', (address, cidr, family) => {
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
    ['fe80::1', 'reserved'],
    ['fd12:3456::1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['::ffff:45.155.205.233', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2002:2d9b:cde9::1', 'reserved'],
    ['81.2.69.160', 'trusted'],
    ['2a02:1388:1:2::3', 'trusted'],
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

  it('does not let an IPv6 rule cover IPv4 addresses', () => {
    // `::ffff:0:0/96` is reserved; an IPv4 address must not match it as mapped.
    expect(new AddressPolicy([]).classify('8.8.4.4')).toEqual({
      cidr: '8.8.4.4/32',
      family: 'v4',
    });
  });
});

describe('canonicalCidr', () => {
  it('writes IPv6 entries as WAF may return them in one form', () => {
    expect(canonicalCidr('1111:0000:0000:0000:0000:0000:0000:0111/128')).toBe('1111::111/128');
    expect(canonicalCidr('45.155.205.233/32')).toBe('45.155.205.233/32');
  });
});
