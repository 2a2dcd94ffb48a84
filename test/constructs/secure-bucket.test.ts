import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecureBucket } from '../../lib/constructs/secure-bucket';
import { smallStack } from './small-stack';

describe('SecureBucket', () => {
  it('refuses a bucket without encryption, naming it (ENC-REST)', () => {
    const { stack } = smallStack();
    expect(() => new SecureBucket(stack, 'Plain', {})).toThrow(
      'SecureBucket Plain: an encryptionKey is required (ENC-REST)',
    );
  });

  it('keeps its secure settings whatever a caller passes', () => {
    const { stack, key, template } = smallStack();
    // What the props type forbids, passed anyway (as plain JavaScript could).
    const insecure = {
      encryptionKey: key,
      enforceSSL: false,
      publicReadAccess: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY,
      encryption: s3.BucketEncryption.UNENCRYPTED,
      minimumTLSVersion: 1.0,
    } as unknown as ConstructorParameters<typeof SecureBucket>[2];
    new SecureBucket(stack, 'Bucket', insecure);
    const t = template();
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const policy = JSON.stringify(t.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('"s3:TlsVersion":1.2');
  });

  it('is retained, or retained except on a failed creation when it has a physical name', () => {
    const { stack, key, template } = smallStack();
    new SecureBucket(stack, 'Generated', { encryptionKey: key });
    new SecureBucket(stack, 'Named', { encryptionKey: key, bucketName: 'bulwark-test-named' });
    const buckets = Object.values(template().findResources('AWS::S3::Bucket'));
    expect(buckets.map((b) => [b.Properties.BucketName, b.DeletionPolicy]).sort()).toEqual([
      [undefined, 'Retain'],
      ['bulwark-test-named', 'RetainExceptOnCreate'],
    ]);
  });

  it('uses SSE-S3 only when asked, for log delivery that cannot use KMS', () => {
    const { stack, template } = smallStack();
    new SecureBucket(stack, 'Logs', { s3ManagedEncryption: true });
    template().hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
  });
});
