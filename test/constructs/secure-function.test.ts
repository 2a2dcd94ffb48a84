import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecureFunction, type SecureFunctionProps } from '../../lib/constructs/secure-function';
import { smallStack } from './small-stack';

function setup() {
  const s = smallStack();
  const vpc = new ec2.Vpc(s.stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const sg = new ec2.SecurityGroup(s.stack, 'Sg', { vpc, allowAllOutbound: false });
  const base: SecureFunctionProps = {
    entry: 'people-jwks/handler.ts',
    description: 'test function',
    vpc: undefined,
    logKey: s.key,
    logRetentionDays: 90,
    memoryMiB: 256,
    timeout: Duration.seconds(10),
    reservedConcurrency: 1,
  };
  return { ...s, vpc, sg, base };
}

describe('SecureFunction', () => {
  it.each([
    ['no security group', { securityGroup: undefined }],
    ['no subnets', { subnets: undefined }],
  ])('refuses a function in a VPC with %s, with a clear error', (_, missing) => {
    const { stack, vpc, sg, base } = setup();
    const props = {
      ...base,
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroup: sg,
      ...missing,
    };
    expect(() => new SecureFunction(stack, 'Fn', props)).toThrow(
      'SecureFunction Fn: a function in a VPC needs its subnets and its security group',
    );
  });

  it('runs traced on arm64 with reserved concurrency and its own encrypted log group', () => {
    const { stack, base, template } = setup();
    new SecureFunction(stack, 'Fn', base);
    const t = template();
    const [fn] = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 1,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/^FnLogs/) } },
    });
    const [group] = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(group.Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      RetentionInDays: 90,
    });
  });

  it('adds no rule to the security group it is given (the network stack owns it)', () => {
    const { stack, vpc, sg, base, template } = setup();
    new SecureFunction(stack, 'Fn', {
      ...base,
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroup: sg,
    });
    const t = template();
    expect(Object.keys(t.findResources('AWS::EC2::SecurityGroupIngress'))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::EC2::SecurityGroupEgress'))).toEqual([]);
    const groups = t.findResources('AWS::EC2::SecurityGroup');
    expect(Object.keys(groups)).toHaveLength(1);
  });

  it('may use the key of its encrypted dead-letter queue', () => {
    const { stack, key, base, template } = setup();
    const dlq = new sqs.Queue(stack, 'Dlq', { encryptionMasterKey: key });
    new SecureFunction(stack, 'Fn', { ...base, deadLetterQueue: dlq });
    const statements = JSON.stringify(template().findResources('AWS::IAM::Policy'));
    expect(statements).toContain('sqs:SendMessage');
    expect(statements).toMatch(/kms:Decrypt.*kms:GenerateDataKey|kms:GenerateDataKey.*kms:Decrypt/);
  });
});
