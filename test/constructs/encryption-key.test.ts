import { EncryptionKey } from '../../lib/constructs/encryption-key';
import { smallStack } from './small-stack';

describe('EncryptionKey', () => {
  it('is a retained symmetric key rotated yearly, whose use no principal can grant', () => {
    const { stack, template } = smallStack();
    new EncryptionKey(stack, 'Data', { alias: 'bulwark-test-data', description: 'test' });
    const keys = template().findResources('AWS::KMS::Key');
    const key = Object.entries(keys).find(([id]) => id.startsWith('Data'))![1];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties).toMatchObject({
      EnableKeyRotation: true,
      RotationPeriodInDays: 365,
      PendingWindowInDays: 30,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Sid: 'DenyGrantsNotForAwsResources',
        Effect: 'Deny',
        Action: 'kms:CreateGrant',
        Principal: { AWS: '*' },
      }),
    );
  });

  it('lets CloudWatch Logs of its own account and region use it only when asked', () => {
    const { stack, template } = smallStack();
    new EncryptionKey(stack, 'Plain', { alias: 'bulwark-test-plain', description: 'test' });
    new EncryptionKey(stack, 'Logs', {
      alias: 'bulwark-test-logs',
      description: 'test',
      allowCloudWatchLogs: true,
    });
    const keys = template().findResources('AWS::KMS::Key');
    const sids = (prefix: string) =>
      Object.entries(keys)
        .find(([id]) => id.startsWith(prefix))![1]
        .Properties.KeyPolicy.Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids('Plain')).not.toContain('AllowCloudWatchLogsOfThisAccount');
    expect(sids('Logs')).toContain('AllowCloudWatchLogsOfThisAccount');
  });
});
