import { readSettings } from '../../../lambda/threat-response/settings';

const env = {
  STAGE: 'staging',
  TABLE_NAME: 'Bulwark-Staging-Security-ThreatResponseBlocklist-1A2B3C',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
  TRUSTED_CIDRS: '["81.2.69.0/24"]',
  BLOCK_DAYS: '7',
  MAX_BLOCK_DAYS: '30',
  MAX_ADDRESSES_PER_SET: '10000',
  MAX_ADDRESSES_PER_FINDING: '100',
  BLOCKLISTS:
    '[{"layer":"edge","region":"us-east-1","parameter":"/bulwark/staging/waf/edge/blocklist"}]',
};

describe('readSettings', () => {
  it('reads the function’s environment', () => {
    expect(readSettings(env)).toMatchObject({
      policy: { blockDays: 7, maxBlockDays: 30 },
      capacity: 10_000,
      maxAddressesPerFinding: 100,
      trustedCidrs: ['81.2.69.0/24'],
      blocklists: [{ layer: 'edge', region: 'us-east-1' }],
    });
  });

  it('fails at cold start naming every bad variable', () => {
    expect(() =>
      readSettings({ ...env, BLOCKLISTS: '[{"layer":"cdn"}]', BLOCK_DAYS: 'x', TABLE_NAME: '' }),
    ).toThrow('Invalid threat-response environment: TABLE_NAME, BLOCK_DAYS, BLOCKLISTS');
  });

  it.each([
    [{ MAX_ADDRESSES_PER_FINDING: undefined }],
    [{ MAX_ADDRESSES_PER_FINDING: '0' }],
    [{ MAX_ADDRESSES_PER_FINDING: '2.5' }],
    [{ MAX_ADDRESSES_PER_FINDING: 'many' }],
    [{ MAX_ADDRESSES_PER_FINDING: '101', MAX_ADDRESSES_PER_SET: '100' }],
  ])('fails at cold start on a bad per-finding cap (%j)', (bad) => {
    expect(() => readSettings({ ...env, ...bad })).toThrow(
      'Invalid threat-response environment: MAX_ADDRESSES_PER_FINDING',
    );
  });
});
