import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';

const API = {
  Staging: { memory: 512, concurrency: 10 },
  Production: { memory: 1024, concurrency: 100 },
} as const;
const imported = (fragment: string) => ({ 'Fn::ImportValue': expect.stringContaining(fragment) });

describe.each(STAGES)('App stack (%s)', (stage) => {
  const t = template(stage, 'App');
  const api = () => onlyResource(t, 'AWS::Lambda::Function', 'ContentApiFunction');
  const migrator = () => onlyResource(t, 'AWS::Lambda::Function', 'SchemaMigratorFunction');
  const statements = (prefix: string) =>
    onlyResource(t, 'AWS::IAM::Policy', prefix).Properties.PolicyDocument.Statement;

  it.each([
    ['content API', api, API[stage].memory, API[stage].concurrency],
    ['schema migrator', migrator, 256, 1],
  ] as const)(
    'runs the %s on Node.js 24, arm64, traced, in the App subnets',
    (_, fn, memory, concurrency) => {
      expect(fn().Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: memory,
        ReservedConcurrentExecutions: concurrency,
        VpcConfig: {
          SubnetIds: expect.arrayContaining([imported('AppSubnet1')]),
          SecurityGroupIds: [expect.anything()],
        },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs/) } },
      });
      expect(JSON.stringify(fn().Properties.VpcConfig.SubnetIds)).not.toContain('DataSubnet');
    },
  );

  it('gives each function and the WAF its own encrypted, retained log group (ENC-REST, RET-DATA)', () => {
    const groups = Object.values(resourcesOf(t, 'AWS::Logs::LogGroup'));
    // Content API, outbox drainer, schema migrator, CDN invalidator, nightly backup, regional WAF.
    expect(groups).toHaveLength(6);
    for (const g of groups) {
      expect(g.Properties.KmsKeyId).toEqual(imported('DataKey'));
      expect(g.Properties.RetentionInDays).toBe(stage === 'Production' ? 365 : 90);
      // The WAF's group is named (WAF demands the prefix): kept unless its creation rolls back.
      expect(g.DeletionPolicy).toBe(g.Properties.LogGroupName ? 'RetainExceptOnCreate' : 'Retain');
    }
  });

  it('passes no secret in environment variables, only where to find them', () => {
    for (const fn of [api(), migrator()]) {
      const env = fn.Properties.Environment.Variables;
      expect(Object.keys(env).filter((k) => /PEPPER$|PASSWORD|TOKEN/.test(k))).toEqual([]);
    }
    expect(api().Properties.Environment.Variables).toMatchObject({
      DB_USER: 'bulwark_api',
      DB_NAME: 'bulwark',
      DB_PROXY_ENDPOINT: imported('Proxy'),
      API_KEY_PEPPER_SECRET_ARN: imported('ApiKeyPepper'),
      INVALIDATION_QUEUE_URL: { Ref: expect.stringMatching(/^InvalidationQueue/) },
    });
  });

  it('lets the content API do exactly its job (ACC-DATA, least privilege)', () => {
    const s = statements('ContentApiFunctionServiceRoleDefaultPolicy');
    const byAction = Object.fromEntries(s.map((x: any) => [[x.Action].flat().join(','), x]));
    expect(Object.keys(byAction).sort()).toEqual(
      [
        'xray:PutTelemetryRecords,xray:PutTraceSegments',
        'rds-db:connect',
        'secretsmanager:GetSecretValue',
        'kms:Decrypt',
        'sqs:SendMessage',
        'kms:Decrypt,kms:GenerateDataKey',
      ].sort(),
    );
    expect(JSON.stringify(byAction['rds-db:connect'].Resource)).toMatch(/dbuser:.*\/bulwark_api"/);
    expect(byAction['secretsmanager:GetSecretValue'].Resource).toEqual(imported('ApiKeyPepper'));
    expect(byAction['sqs:SendMessage'].Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^InvalidationQueue/), 'Arn'],
    });
    expect(byAction['kms:Decrypt'].Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
    });
    expect(byAction['kms:Decrypt,kms:GenerateDataKey'].Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' },
    });
    for (const x of s) {
      if (x.Resource === '*')
        expect(x.Action).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  it('lets the schema migrator read the master secret and nothing else', () => {
    const s = statements('SchemaMigratorFunctionServiceRoleDefaultPolicy');
    expect(s.filter((x: any) => x.Action === 'secretsmanager:GetSecretValue')).toEqual([
      expect.objectContaining({ Resource: imported('DatabaseSecret') }),
    ]);
    expect(s.map((x: any) => [x.Action].flat().join(',')).sort()).toEqual(
      [
        'kms:Decrypt',
        'secretsmanager:GetSecretValue',
        'xray:PutTelemetryRecords,xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('runs the migrations on deploy, before the API (SDLC-CHANGE)', () => {
    const trigger = onlyResource(t, 'Custom::Trigger');
    expect(trigger.Properties).toMatchObject({
      HandlerArn: { Ref: expect.stringMatching(/^SchemaMigratorFunctionCurrentVersion/) },
      InvocationType: 'RequestResponse',
      ExecuteOnHandlerChange: true,
    });
    expect((api() as any).DependsOn).toContain(trigger.logicalId);
  });

  it('queues invalidations encrypted, TLS-only, with a dead-letter queue (AVL-CDN)', () => {
    const queue = onlyResource(t, 'AWS::SQS::Queue', 'InvalidationQueue7');
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: imported('DataKey'),
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] },
      },
    });
    for (const policy of Object.values(resourcesOf(t, 'AWS::SQS::QueuePolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it.each([
    ['ContentApiErrorsAlarm', 'Errors', 5],
    ['ContentApiThrottlesAlarm', 'Throttles', 1],
    ['ContentApiServerErrorsAlarm', 'ServerErrors', 1],
    ['ContentApiLatencyP99Alarm', 'Duration', 8000],
    ['InvalidationDeadLettersAlarm', 'ApproximateNumberOfMessagesVisible', 1],
  ])('pages on-call through %s (MON-ALERT)', (id, metric, threshold) => {
    expect(onlyResource(t, 'AWS::CloudWatch::Alarm', id).Properties).toMatchObject({
      MetricName: metric,
      Threshold: threshold,
      AlarmActions: [imported('AlertTopic')],
    });
  });
});
