import { STAGES, onlyResource, template } from '../support/assembly';

describe.each(STAGES)('CDN invalidation outbox (%s)', (stage) => {
  const t = template(stage, 'App');
  const drainer = () => onlyResource(t, 'AWS::Lambda::Function', 'InvalidationOutboxDrainer');

  it('drains in the App subnets, as its own database user, one run at a time', () => {
    const fn = drainer().Properties;
    expect(fn).toMatchObject({
      ReservedConcurrentExecutions: 1,
      VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: [expect.anything()] },
    });
    expect(fn.Environment.Variables).toMatchObject({
      DB_USER: 'bulwark_outbox',
      INVALIDATION_QUEUE_URL: { Ref: expect.stringMatching(/^InvalidationQueue/) },
    });
    const api = onlyResource(t, 'AWS::Lambda::Function', 'ContentApiFunction').Properties;
    // The API's security group: the proxy and the endpoints only.
    expect(fn.VpcConfig.SecurityGroupIds).toEqual(api.VpcConfig.SecurityGroupIds);
  });

  it('may connect as bulwark_outbox and send to the invalidation queue, nothing more', () => {
    const s = onlyResource(
      t,
      'AWS::IAM::Policy',
      'InvalidationOutboxDrainerServiceRoleDefaultPolicy',
    ).Properties.PolicyDocument.Statement;
    expect(s.map((x: any) => [x.Action].flat().join(',')).sort()).toEqual(
      [
        'kms:Decrypt,kms:GenerateDataKey',
        'rds-db:connect',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords,xray:PutTraceSegments',
      ].sort(),
    );
    const connect = s.find((x: any) => x.Action === 'rds-db:connect');
    expect(JSON.stringify(connect.Resource)).toMatch(/dbuser:.*\/bulwark_outbox"/);
    expect(JSON.stringify(connect.Resource)).not.toMatch(/bulwark_api|bulwark_backup/);
  });

  it('runs every minute, after the migrator has created its role', () => {
    const rule = onlyResource(t, 'AWS::Events::Rule', 'InvalidationOutboxSchedule');
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [drainer().logicalId, 'Arn'] } }),
    ]);
    const migrator = onlyResource(t, 'Custom::Trigger');
    expect((drainer() as any).DependsOn).toContain(migrator.logicalId);
    const env = onlyResource(t, 'AWS::Lambda::Function', 'SchemaMigratorFunction').Properties
      .Environment.Variables;
    expect(env.OUTBOX_DB_USERS).toBe('bulwark_outbox');
  });

  it('pages when an invalidation is stuck for 15 minutes, or no drain reports', () => {
    const alarm = onlyResource(t, 'AWS::CloudWatch::Alarm', 'InvalidationOutboxStuckAlarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'Bulwark/ContentApi',
      MetricName: 'OutboxOldestAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'invalidation-outbox' }],
      Statistic: 'Maximum',
      Threshold: 900,
      TreatMissingData: 'breaching',
      AlarmActions: [expect.anything()],
    });
    const errors = onlyResource(t, 'AWS::CloudWatch::Alarm', 'InvalidationOutboxErrorsAlarm');
    expect(errors.Properties.AlarmActions).toEqual(alarm.Properties.AlarmActions);
  });
});
