import { parseIpSetArn } from '../../../lambda/threat-response/adapters/waf-ip-sets';

describe('parseIpSetArn', () => {
  it('reads scope, region, name and id of a CloudFront-scope IP set', () => {
    expect(
      parseIpSetArn(
        'arn:aws:wafv2:us-east-1:111122223333:global/ipset/bulwark-staging-edge-blockedv4/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
        'edge',
        'v4',
      ),
    ).toEqual({
      layer: 'edge',
      family: 'v4',
      arn: 'arn:aws:wafv2:us-east-1:111122223333:global/ipset/bulwark-staging-edge-blockedv4/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      region: 'us-east-1',
      scope: 'CLOUDFRONT',
      name: 'bulwark-staging-edge-blockedv4',
      id: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    });
  });

  it.each([
    'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/bulwark-staging-origin/a1b2c3d4',
    'arn:aws:s3:::bucket',
    '',
  ])('rejects %j, which is not an IP set ARN', (arn) => {
    expect(() => parseIpSetArn(arn, 'origin', 'v4')).toThrow(/Not a WAF IP set ARN/);
  });
});
