import type { CfnJson, Evidence } from '../../lib/compliance/controls';
import { evidenceFailureText, judgeEvidence } from '../../lib/compliance/report';

const bucket = (algorithm: string): CfnJson => ({
  Type: 'AWS::S3::Bucket',
  Properties: {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: algorithm } },
      ],
    },
  },
});
const sseKms: Evidence = {
  claim: 'buckets use SSE-KMS',
  type: 'AWS::S3::Bucket',
  stack: 'Data',
  holds: (p) =>
    p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
      ?.SSEAlgorithm === 'aws:kms',
};
const judged = (e: Evidence, resources: Record<string, CfnJson>) =>
  judgeEvidence(e, 'Production', 'Bulwark-Production-Data', resources);

describe('evidence quantifiers', () => {
  it('holds with every (the default) only when each resource the claim is about holds', () => {
    const result = judged(sseKms, { A: bucket('aws:kms'), B: bucket('aws:kms') });
    expect([result.quantifier, result.ok, result.matches.length, result.failures]).toEqual([
      'every',
      true,
      2,
      [],
    ]);
  });

  it('fails with every when one resource does not hold, naming it and the values judged', () => {
    const result = judged(sseKms, { A: bucket('aws:kms'), Logs: bucket('AES256') });
    expect(result.ok).toBe(false);
    expect(result.matches.map((m) => m.logicalId)).toEqual(['A']);
    expect(result.failures).toEqual([
      {
        stack: 'Bulwark-Production-Data',
        logicalId: 'Logs',
        properties: {
          BucketEncryption:
            '{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}',
        },
      },
    ]);
    expect(evidenceFailureText('ENC-REST', result)).toBe(
      'ENC-REST (Production): buckets use SSE-KMS: does not hold for 1 of 2 AWS::S3::Bucket in Data: ' +
        'Logs (BucketEncryption={"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]})',
    );
  });

  it('fails with every when there is no resource to hold it (never vacuously true)', () => {
    const result = judged(sseKms, { Q: { Type: 'AWS::SQS::Queue', Properties: {} } });
    expect([result.ok, result.matches, result.failures]).toEqual([false, [], []]);
    expect(evidenceFailureText('ENC-REST', result)).toBe(
      'ENC-REST (Production): buckets use SSE-KMS: no AWS::S3::Bucket in Data that the claim is about',
    );
  });

  it('holds with some when at least one resource holds, and fails when none does', () => {
    const some: Evidence = { ...sseKms, claim: 'a bucket uses SSE-KMS', quantifier: 'some' };
    expect(judged(some, { A: bucket('AES256'), B: bucket('aws:kms') }).ok).toBe(true);
    const none = judged(some, { A: bucket('AES256') });
    expect(none.ok).toBe(false);
    expect(evidenceFailureText('X', none)).toContain('no AWS::S3::Bucket in Data holds it');
  });

  it('judges only the resources the claim is about', () => {
    const aboutVault: Evidence = {
      ...sseKms,
      about: (_p, _r, ctx) => ctx.logicalId.startsWith('Vault'),
    };
    const result = judged(aboutVault, { Vault1: bucket('aws:kms'), Logs: bucket('AES256') });
    expect([result.ok, result.matches.map((m) => m.logicalId), result.failures]).toEqual([
      true,
      ['Vault1'],
      [],
    ]);
    expect(judged(aboutVault, { Logs: bucket('aws:kms') }).ok).toBe(false);
  });

  it('gives the judgement the stage and the template, to follow references', () => {
    const seen: string[] = [];
    const refersToKey: Evidence = {
      ...sseKms,
      holds: (p, _r, ctx) => {
        seen.push(`${ctx.stage}/${ctx.logicalId}`);
        return ctx.resources[p.KeyRef]?.Type === 'AWS::KMS::Key';
      },
    };
    const resources = {
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      A: { Type: 'AWS::S3::Bucket', Properties: { KeyRef: 'Key' } },
      B: { Type: 'AWS::S3::Bucket', Properties: { KeyRef: 'Missing' } },
    };
    const result = judged(refersToKey, resources);
    expect(seen).toEqual(['Production/A', 'Production/B']);
    expect(result.failures.map((f) => f.logicalId)).toEqual(['B']);
  });

  it('counts a judgement that throws on an unforeseen template as not holding, saying why', () => {
    const brittle: Evidence = { ...sseKms, holds: (p) => p.Missing.deeper === 1 };
    const result = judged(brittle, { A: bucket('aws:kms') });
    expect(result.ok).toBe(false);
    expect(result.failures[0].properties.error).toMatch(/Cannot read properties of undefined/);
  });
});
