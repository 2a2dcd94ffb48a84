import { STAGES, onlyResource, template } from '../support/assembly';

describe.each(STAGES)('Recovery stack (%s)', (stage) => {
  const t = template(stage, 'Recovery');
  const name = stage.toLowerCase();
  const account = stage === 'Staging' ? '111111111111' : '222222222222';

  it('holds the replica vault under the name the Data stack replicates to (BKP-REMOTE)', () => {
    const bucket = onlyResource(t, 'AWS::S3::Bucket', 'BackupReplicaBucket');
    expect(bucket.Properties.BucketName).toBe(`bulwark-${name}-backups-${account}-eu-central-1`);
  });

  it('locks replicas in COMPLIANCE mode for 30 days, KMS-encrypted with its own key', () => {
    const bucket = onlyResource(t, 'AWS::S3::Bucket', 'BackupReplicaBucket');
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^BackupReplicaKey/), 'Arn'] },
            },
          },
        ],
      },
    });
    t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: `alias/bulwark-${name}-backup-replica`,
    });
  });
});
