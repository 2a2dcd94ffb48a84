import { LISTED_ADDRESSES, blockAlert } from '../../../lambda/threat-response/domain/alert-message';
import type { Decision } from '../../../lambda/threat-response/domain/respond';

const decision = (over: Partial<Decision>): Decision => ({
  finding: {
    id: 'f1',
    type: 'Recon:EC2/PortProbeUnprotectedPort',
    severity: 8,
    title: 'Unprotected port on EC2 instance i-0c9d8e7f6a5b4c3d2 is being probed.',
    accountId: '111122223333',
    region: 'eu-west-1',
    updatedAt: '2026-11-25T12:00:00.000Z',
    sample: false,
  },
  outcome: 'ignored',
  blocked: [],
  skipped: [],
  beyondCap: [],
  evicted: [],
  dropped: [],
  setsUpdated: [],
  ...over,
});

describe('blockAlert', () => {
  it('pages nobody when nothing new was blocked and nothing was left unblocked', () => {
    expect(blockAlert('staging', decision({}))).toBeUndefined();
  });

  it('tells on-call about addresses beyond the cap even when nothing new was blocked', () => {
    const beyondCap = Array.from({ length: 150 }, (_, i) => `45.9.0.${i + 1}/32`);
    const alert = blockAlert('staging', decision({ beyondCap }))!;
    expect(alert.subject).toBe(
      'Bulwark staging: 150 not blocked (Recon:EC2/PortProbeUnprotectedPort)',
    );
    expect(alert.body).toContain('Per-finding cap reached: 150 addresses beyond it not blocked');
    // A bounded list: an SNS message holds at most 256 KB.
    expect(alert.body).toContain(`- ${beyondCap[LISTED_ADDRESSES - 1]}\n`);
    expect(alert.body).not.toContain(`- ${beyondCap[LISTED_ADDRESSES]}\n`);
    expect(alert.body).toContain(`- … and ${150 - LISTED_ADDRESSES} more`);
  });

  it('names the blocked and the unblocked counts in the subject', () => {
    const alert = blockAlert(
      'production',
      decision({
        outcome: 'blocked',
        blocked: [
          {
            cidr: '2a0b:f4c0:16c:7::/64',
            family: 'v6',
            newlyBlocked: true,
            offences: 1,
            expiresAt: 1_800_000_000,
          },
        ],
        evicted: ['45.1.0.1/32'],
        dropped: ['45.1.0.2/32'],
      }),
    )!;
    expect(alert.subject).toBe(
      'Bulwark production: blocked 1 address, 1 not blocked (Recon:EC2/PortProbeUnprotectedPort)',
    );
    expect(alert.body).toContain(
      '- 2a0b:f4c0:16c:7::/64 until 2027-01-15T08:00:00.000Z (offence 1)',
    );
    expect(alert.body).toContain(
      'Blocklist full: evicted 1 block(s) ending before the new ones; 1 address(es) left out of a set, as no block there ended sooner:\n- 45.1.0.2/32',
    );
  });
});
