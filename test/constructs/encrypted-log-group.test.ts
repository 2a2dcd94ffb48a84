import { EncryptedLogGroup } from '../../lib/constructs/encrypted-log-group';
import { LOG_RETENTION_DAYS } from '../../lib/config/regions';
import { smallStack } from './small-stack';

describe('EncryptedLogGroup', () => {
  it.each([0, 2, 100, 366, -1])('refuses a retention CloudWatch does not offer (%i days)', (d) => {
    const { stack, key } = smallStack();
    expect(
      () => new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retentionDays: d }),
    ).toThrow(`EncryptedLogGroup Logs: retention of ${d} days is not one CloudWatch Logs offers`);
  });

  it.each([...LOG_RETENTION_DAYS])('accepts %i days, encrypted and retained', (d) => {
    const { stack, key, template } = smallStack();
    new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retentionDays: d });
    const [group] = Object.values(template().findResources('AWS::Logs::LogGroup'));
    expect(group.Properties.RetentionInDays).toBe(d);
    expect(group.Properties.KmsKeyId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'],
    });
    expect(group.DeletionPolicy).toBe('Retain');
  });

  it('keeps a named group except when its creation fails', () => {
    const { stack, key, template } = smallStack();
    new EncryptedLogGroup(stack, 'Logs', {
      encryptionKey: key,
      retentionDays: 90,
      logGroupName: '/bulwark/test',
    });
    const [group] = Object.values(template().findResources('AWS::Logs::LogGroup'));
    expect(group.DeletionPolicy).toBe('RetainExceptOnCreate');
  });
});
