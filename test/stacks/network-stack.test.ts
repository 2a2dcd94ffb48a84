import type { StagePart } from '../../lib/stage-layout';
import { Match } from 'aws-cdk-lib/assertions';
import { loadStageConfigs } from '../../lib/config';
import { STAGES, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);

const AZS = { Staging: 2, Production: 3 } as const;
const ALL_PARTS: StagePart[] = ['Network', 'Recovery', 'Data', 'Security', 'App'];

/** Logical id of the security group named `name` under `SecurityGroups/` or `Network/`. */
const groupRef = (ref: any): string => ref?.['Fn::GetAtt']?.[0] ?? JSON.stringify(ref);

describe.each(STAGES)('Network stack (%s)', (stage) => {
  const t = template(stage, 'Network');
  const fargate = configs.find((c) => c.title === stage)!.backup.runner === 'fargate';

  it(`spans ${AZS[stage]} AZs with isolated Data and App subnets only (ACC-DATA, AVL-LB)`, () => {
    t.resourceCountIs('AWS::EC2::Subnet', AZS[stage] * 2);
    t.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    // One gateway, attached for CloudFront VPC origins; no route uses it.
    t.resourceCountIs('AWS::EC2::InternetGateway', 1);
    t.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Route', 0);
    const azs = Object.values(resourcesOf(t, 'AWS::EC2::Subnet')).map(
      (s) => s.Properties.AvailabilityZone['Fn::Select'][0],
    );
    expect(new Set(azs).size).toBe(AZS[stage]);
  });

  it('reaches AWS through S3 and DynamoDB gateways and private interface endpoints', () => {
    const endpoints = Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint'));
    const services = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const svc of [
      '.s3"',
      '.dynamodb"',
      '.secretsmanager"',
      '.kms"',
      '.logs"',
      '.monitoring"',
      '.sqs"',
      '.sts"',
      '.xray"',
      '.ssm"',
      '.ssmmessages"',
      '.ec2messages"',
    ]) {
      expect(services.filter((s) => s.includes(svc))).toHaveLength(1);
    }
    const interfaces = endpoints.filter((e) => e.Properties.SubnetIds);
    // And ECR's two where the export runs as a Fargate task (test/stacks/export-task.test.ts).
    expect(interfaces).toHaveLength(fargate ? 12 : 10);
    for (const e of interfaces) {
      expect(e.Properties.PrivateDnsEnabled).toBe(true);
      expect(e.Properties.SecurityGroupIds).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^NetworkEndpointSecurityGroup/), 'GroupId'] },
      ]);
    }
  });

  it('logs all VPC traffic to a KMS-encrypted log group with retention (MON-AUDIT, RET-DATA)', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkLogKey'), 'Arn'] },
      RetentionInDays: stage === 'Production' ? 365 : 90,
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  it('allows exactly the tier-to-tier paths of the design (NET-SG)', () => {
    const edges = new Set<string>();
    for (const r of Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupIngress'))) {
      const p = r.Properties;
      const source = p.SourcePrefixListId
        ? `prefix list ${p.SourcePrefixListId['Fn::GetAtt'][0]}`
        : groupRef(p.SourceSecurityGroupId);
      edges.add(`${source} -> ${groupRef(p.GroupId)} :${p.FromPort}-${p.ToPort}`);
    }
    for (const r of Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupEgress'))) {
      const p = r.Properties;
      const destination = p.DestinationPrefixListId
        ? `prefix list ${p.DestinationPrefixListId['Fn::GetAtt'][0]}`
        : groupRef(p.DestinationSecurityGroupId);
      edges.add(`${groupRef(p.GroupId)} -> ${destination} :${p.FromPort}-${p.ToPort}`);
    }
    const strip = (e: string) => e.replace(/([A-Za-z]+?)(?:[0-9A-F]{8})/g, '$1');
    expect([...edges].map(strip).sort()).toEqual(
      [
        'SecurityGroupsApiFunction -> SecurityGroupsProxy :5432-5432',
        'SecurityGroupsBackupFunction -> SecurityGroupsProxy :5432-5432',
        'SecurityGroupsApiFunction -> NetworkEndpointSecurityGroup :443-443',
        'SecurityGroupsBackupFunction -> NetworkEndpointSecurityGroup :443-443',
        'SecurityGroupsRotationFunction -> NetworkEndpointSecurityGroup :443-443',
        'SecurityGroupsProxy -> SecurityGroupsDatabase :5432-5432',
        'SecurityGroupsRotationFunction -> SecurityGroupsDatabase :5432-5432',
        'SecurityGroupsMigrationFunction -> NetworkEndpointSecurityGroup :443-443',
        'SecurityGroupsMigrationFunction -> SecurityGroupsDatabase :5432-5432',
        'prefix list CloudFrontPrefixListLookup -> SecurityGroupsAlb :443-443',
        'SecurityGroupsBackupFunction -> prefix list S3PrefixListLookup :443-443',
        'SecurityGroupsBreakGlassAccess -> SecurityGroupsProxy :5432-5432',
        'SecurityGroupsBreakGlassAccess -> NetworkEndpointSecurityGroup :443-443',
        'SecurityGroupsBreakGlassAccess -> prefix list S3PrefixListLookup :443-443',
      ].sort(),
    );
  });

  it('gives every security group explicit egress (no allow-all outbound)', () => {
    const groups = resourcesOf(t, 'AWS::EC2::SecurityGroup');
    expect(Object.keys(groups).length).toBe(9);
    for (const [id, g] of Object.entries(groups)) {
      for (const rule of g.Properties.SecurityGroupEgress ?? []) {
        // The only inline egress CDK writes for a closed group is its "disallow all" marker.
        expect({ id, rule: rule.CidrIp }).toEqual({ id, rule: '255.255.255.255/32' });
      }
      expect(g.Properties.SecurityGroupIngress).toBeUndefined();
    }
  });

  it('closes the default security group of the VPC', () => {
    t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });
});

describe.each(STAGES)('every stack of %s', (stage) => {
  it.each(ALL_PARTS)('%s opens nothing to 0.0.0.0/0 or ::/0 (NET-SG)', (part) => {
    const t = template(stage, part);
    const rules = [
      ...Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties),
      ...Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties),
      ...Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroup')).flatMap((g) => [
        ...(g.Properties.SecurityGroupIngress ?? []),
        ...(g.Properties.SecurityGroupEgress ?? []),
      ]),
    ];
    for (const rule of rules) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });
});
