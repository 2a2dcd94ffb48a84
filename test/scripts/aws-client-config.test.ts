import {
  READ_ROLE_ENV,
  awsClientConfig,
  readCredentials,
} from '../../scripts/lib/aws-client-config';

describe('the credentials of the tools clients', () => {
  it('are the default chain when no read role is set', () => {
    expect(awsClientConfig('eu-west-1', {})).toEqual({ region: 'eu-west-1' });
    expect(readCredentials({})).toBeUndefined();
  });

  it('assume the read role once, shared by every client, when it is set', () => {
    const env = {
      [READ_ROLE_ENV]:
        'arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-west-1',
    };
    const a = awsClientConfig('eu-west-1', env);
    const b = awsClientConfig('us-east-1', env);
    expect(typeof a.credentials).toBe('function');
    expect(b.credentials).toBe(a.credentials);
    const other = awsClientConfig('eu-west-1', {
      [READ_ROLE_ENV]: 'arn:aws:iam::222222222222:role/another',
    });
    expect(other.credentials).not.toBe(a.credentials);
  });

  it.each(['not-an-arn', 'arn:aws:iam::111111111111:user/someone', 'arn:aws:s3:::bucket'])(
    'refuse a read role that is not a role ARN (%s), naming the variable',
    (value) => {
      expect(() => awsClientConfig('eu-west-1', { [READ_ROLE_ENV]: value })).toThrow(
        `${READ_ROLE_ENV} = ${JSON.stringify(value)} is not an IAM role ARN`,
      );
    },
  );
});
