import { loadStageConfigs, physicalNames } from '../../lib/config';
import { REPLICA_LAG_ALARM_SECONDS } from '../../lib/constructs/cross-region-replica';
import { PGAUDIT_PARAMETERS } from '../../lib/constructs/database';
import { stackName } from '../../lib/stage-layout';
import { STAGES, onlyResource, resourcesOf, stackArtifact, template } from '../support/assembly';
import { assembly } from '../support/assembly';
import { projectContext } from '../support/synth';

const configs = loadStageConfigs(projectContext().stages);
const configOf = (stage: string) => configs.find((c) => c.title === stage)!;
const WITH = STAGES.filter((s) => configOf(s).database.crossRegionReplica);
const WITHOUT = STAGES.filter((s) => !configOf(s).database.crossRegionReplica);

it('the shipped config has stages with and without the cross-region replica', () => {
  expect([WITH.length > 0, WITHOUT.length > 0]).toEqual([true, true]);
});

it.each(WITHOUT)('%s has no Replica stack', (stage) => {
  const names = assembly().stacks.map((s) => s.id);
  expect(names).not.toContain(stackName(stage, 'Replica'));
});

describe.each(WITH)('cross-region replica (%s, DR-REPL)', (stage) => {
  const cfg = configOf(stage);
  const t = template(stage, 'Replica');
  const names = physicalNames(cfg);
  const instance = () => onlyResource(t, 'AWS::RDS::DBInstance');

  it('deploys to the recovery region after the Data stack, protected from termination', () => {
    const artifact = stackArtifact(stage, 'Replica');
    expect(artifact.environment.region).toBe(cfg.drRegion);
    expect(artifact.terminationProtection).toBe(true);
    expect(artifact.dependencies.map((d) => d.id)).toContain(stackName(stage, 'Data'));
  });

  it("replicates the primary by ARN from the primary region, encrypted with the region's own key", () => {
    const p = instance().Properties;
    expect(p.DBInstanceIdentifier).toBe(names.drReplicaInstance);
    expect(p.SourceRegion).toBe(cfg.region);
    expect(JSON.stringify(p.SourceDBInstanceIdentifier)).toContain(
      `:rds:${cfg.region}:${cfg.account}:db:${names.databaseInstance}"`,
    );
    const key = onlyResource(t, 'AWS::KMS::Key', 'ReplicaKey');
    expect(p.KmsKeyId).toEqual({ 'Fn::GetAtt': [key.logicalId, 'Arn'] });
    expect(p.PerformanceInsightsKMSKeyId).toEqual({ 'Fn::GetAtt': [key.logicalId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(p.DBInstanceClass).toBe(`db.${cfg.database.instanceClass}`);
  });

  it('is private, IAM-authenticated, deletion-protected and retained', () => {
    const r = instance();
    expect(r.Properties).toMatchObject({
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
    expect([r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  it("has the primary's parameters: TLS only and pgaudit", () => {
    const group = onlyResource(t, 'AWS::RDS::DBParameterGroup').Properties.Parameters;
    expect(group).toMatchObject({ 'rds.force_ssl': '1', ...PGAUDIT_PARAMETERS });
    expect(instance().Properties.DBParameterGroupName).toEqual({
      Ref: onlyResource(t, 'AWS::RDS::DBParameterGroup').logicalId,
    });
  });

  it('sits in isolated subnets behind a security group that admits nothing and sends nothing', () => {
    const sg = onlyResource(t, 'AWS::EC2::SecurityGroup', 'DatabaseSecurityGroup').Properties;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }),
    ]);
    expect(Object.keys(resourcesOf(t, 'AWS::EC2::InternetGateway'))).toEqual([]);
    expect(Object.keys(resourcesOf(t, 'AWS::EC2::NatGateway'))).toEqual([]);
    expect(Object.keys(resourcesOf(t, 'AWS::EC2::Route'))).toEqual([]);
    // No workload runs here before a failover: no interface endpoint is paid for.
    const interfaces = Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint')).filter(
      (e) => e.Properties.VpcEndpointType === 'Interface',
    );
    expect(interfaces).toEqual([]);
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  it("exports its logs to log groups encrypted with the region's key", () => {
    for (const type of ['postgresql', 'upgrade']) {
      const group = Object.values(resourcesOf(t, 'AWS::Logs::LogGroup')).find(
        (g) => g.Properties.LogGroupName === `/aws/rds/instance/${names.drReplicaInstance}/${type}`,
      );
      expect(group?.Properties.KmsKeyId).toEqual(expect.anything());
      expect(group?.Properties.RetentionInDays).toBe(cfg.logRetentionDays);
    }
  });

  it(`pages through a topic of its own region when the lag stays above ${REPLICA_LAG_ALARM_SECONDS} s or goes missing`, () => {
    const alarm = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .find((a) => a.MetricName === 'ReplicaLag')!;
    const topic = onlyResource(t, 'AWS::SNS::Topic');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/RDS',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: REPLICA_LAG_ALARM_SECONDS,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: instance().logicalId } }],
      AlarmActions: [{ Ref: topic.logicalId }],
    });
    const subscriptions = Object.values(resourcesOf(t, 'AWS::SNS::Subscription')).map((s) => [
      s.Properties.Protocol,
      s.Properties.Endpoint,
    ]);
    expect(subscriptions.sort()).toEqual(
      [
        ['email', cfg.alerts.email],
        ['https', cfg.alerts.onCallUrl],
      ].sort(),
    );
    expect(topic.Properties.KmsMasterKeyId).toEqual(expect.anything());
  });
});
