import { NotAFindingError, parseFinding } from '../../../lambda/threat-response/domain/finding';
import { finding } from './fixtures';

describe('parseFinding', () => {
  it.each([
    ['network-connection-inbound', ['185.220.101.34']],
    ['network-connection-ipv6', ['2a0b:f4c0:16c:7::1']],
    ['aws-api-call', ['45.155.205.233']],
    ['port-probe-multi', ['89.248.165.52', '193.142.146.35']],
    ['rds-login-attempt', ['141.98.10.63']],
    ['kubernetes-api-call', ['92.63.197.153']],
    ['lambda-network', ['176.111.174.26']],
    ['dns-request', []],
  ])('reads every remote address of %s', (name, expected) => {
    expect(parseFinding(finding(name)).remoteAddresses).toEqual(expected);
  });

  it('reads remote addresses from a finding shape it has no special case for', () => {
    const event = finding('network-connection-inbound');
    event.detail.service.action = {
      actionType: 'FUTURE_ACTION',
      futureAction: { peers: [{ remoteIpDetails: { ipAddressV4: '5.188.10.1' } }] },
    };
    expect(parseFinding(event).remoteAddresses).toEqual(['5.188.10.1']);
  });

  it('does not take the affected resource’s own public address for a remote one', () => {
    const parsed = parseFinding(finding('sample-flag'));
    expect(parsed.remoteAddresses).not.toContain('198.51.100.0');
    expect(parsed.finding.sample).toBe(true);
  });

  it('summarises the finding', () => {
    expect(parseFinding(finding('aws-api-call')).finding).toMatchObject({
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      severity: 5,
      accountId: '111122223333',
      sample: false,
    });
  });

  it.each([
    ['another source', { source: 'aws.securityhub', 'detail-type': 'GuardDuty Finding' }],
    ['no detail', { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding' }],
    ['nothing', null],
  ])('rejects an event from %s', (_, event) => {
    expect(() => parseFinding(event)).toThrow(NotAFindingError);
  });
});
