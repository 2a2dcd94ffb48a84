import { Match } from 'aws-cdk-lib/assertions';
import { OUTPUT_KEYS } from '../../lib/stage-layout';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';

const AUDIT_DAYS = { Staging: 365, Production: 731 } as const;
const ACCOUNT = { Staging: '111111111111', Production: '222222222222' } as const;
const ref = (prefix: string) => ({ Ref: expect.stringMatching(`^${prefix}`) });
const arnOf = (prefix: string) => ({
  'Fn::GetAtt': [expect.stringMatching(`^${prefix}`), 'Arn'],
});

/** Statements of the break-glass role's policy, by Sid. */
const statementsOf = (policy: { Properties: Record<string, any> }) =>
  Object.fromEntries(
    (policy.Properties.PolicyDocument.Statement as any[]).map((st) => [st.Sid, st]),
  ) as Record<string, any>;

describe.each(STAGES)('Break-glass access (%s)', (stage) => {
  const t = template(stage, 'Security');
  const lower = stage.toLowerCase();
  const role = onlyResource(t, 'AWS::IAM::Role', 'BreakGlassRole');
  const rolePolicy = statementsOf(
    onlyResource(t, 'AWS::IAM::ManagedPolicy', 'BreakGlassRolePolicy'),
  );

  describe('ACC-DATA: the break-glass role', () => {
    it('may be assumed by the account only with MFA (used within the hour), a reason tag and no other tag', () => {
      expect(role.Properties.RoleName).toBe(`bulwark-${lower}-break-glass`);
      expect(role.Properties.MaxSessionDuration).toBe(3600);
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT[stage]}:root` },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
            Null: { 'aws:RequestTag/bulwark:reason': 'false' },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['bulwark:reason'] },
          },
        },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      expect(
        onlyResource(t, 'AWS::IAM::ManagedPolicy', 'BreakGlassRolePolicy').Properties.Roles,
      ).toEqual([ref('BreakGlassRole')]);
      expect(
        Object.keys(resourcesOf(t, 'AWS::IAM::Policy')).filter((id) =>
          id.startsWith('BreakGlassRoleDefaultPolicy'),
        ),
      ).toEqual([]);
    });

    it('launches only from the access template, its image, group and type, into the App subnets', () => {
      const fromTemplate = {
        'ec2:LaunchTemplate': {
          'Fn::Join': [
            '',
            [expect.stringMatching(/:launch-template\/$/), ref('BreakGlassLaunchTemplate')],
          ],
        },
      };
      expect(rolePolicy.LaunchedResourcesComeFromTheTemplate).toMatchObject({
        Action: 'ec2:RunInstances',
        Condition: {
          ArnEquals: fromTemplate,
          StringEquals: { 'ec2:InstanceType': 't4g.micro' },
        },
      });
      expect(rolePolicy.TheTemplateImageAndGroupOnly.Condition.Bool).toEqual({
        'ec2:IsLaunchTemplateResource': 'true',
      });
      const subnets = rolePolicy.IntoTheAppSubnetsOnly.Resource;
      expect(JSON.stringify(subnets)).toContain('AppSubnet');
      expect(JSON.stringify(subnets)).not.toContain('DataSubnet');
      expect(rolePolicy.PassTheInstanceRoleToEc2).toMatchObject({
        Action: 'iam:PassRole',
        Resource: arnOf('BreakGlassInstanceRole'),
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      });
      expect(rolePolicy.TagOnlyAtLaunch.Condition).toEqual({
        StringEquals: { 'ec2:CreateAction': 'RunInstances' },
      });
    });

    it('opens sessions only to tagged instances, with the Bulwark session document', () => {
      const check = { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } };
      expect(rolePolicy.SessionToTaggedInstancesOnly.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/bulwark:break-glass': lower },
        ...check,
      });
      expect(rolePolicy.WithTheBulwarkSessionDocumentOnly.Condition).toEqual(check);
      expect(JSON.stringify(rolePolicy.WithTheBulwarkSessionDocumentOnly.Resource)).toContain(
        `document/bulwark-${lower}-break-glass-session`,
      );
      expect(rolePolicy.TerminateAccessInstancesOnly.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/bulwark:break-glass': lower },
      });
    });

    it('reads no data: no S3, database, secret or log-reading action', () => {
      const actions = Object.values(rolePolicy).flatMap((st) => [st.Action].flat());
      expect(
        actions.filter((a: string) => /^(s3|rds-db|secretsmanager|logs|dynamodb):/.test(a)),
      ).toEqual([]);
      expect(actions).not.toContain('*');
    });
  });

  describe('ACC-DATA: the access instance', () => {
    const data = onlyResource(t, 'AWS::EC2::LaunchTemplate').Properties.LaunchTemplateData;

    it('runs Amazon Linux 2023 on Graviton from the public SSM parameter, IMDSv2 only', () => {
      expect(data.InstanceType).toBe('t4g.micro');
      expect(data.ImageId.Ref).toMatch(/al2023amikernel61arm64/);
      expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    });

    it('encrypts its volume with the break-glass key and terminates when it shuts down within the hour', () => {
      expect(data.BlockDeviceMappings).toEqual([
        {
          DeviceName: '/dev/xvda',
          Ebs: {
            DeleteOnTermination: true,
            Encrypted: true,
            KmsKeyId: arnOf('BreakGlassSessionKey'),
            VolumeSize: 8,
            VolumeType: 'gp3',
          },
        },
      ]);
      expect(data.InstanceInitiatedShutdownBehavior).toBe('terminate');
      const userData = data.UserData['Fn::Base64'];
      expect(userData.split('\n')[1]).toMatch(/^shutdown -P \+60 /);
      expect(userData).toContain('dnf install -y postgresql17');
    });

    it('has no public address: only the access security group, and the App subnets map none', () => {
      expect(data.NetworkInterfaces).toBeUndefined();
      expect(data.SecurityGroupIds).toEqual([
        { 'Fn::ImportValue': expect.stringContaining('SecurityGroupsBreakGlassAccess') },
      ]);
      const network = template(stage, 'Network');
      for (const subnet of Object.values(resourcesOf(network, 'AWS::EC2::Subnet'))) {
        expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      }
    });

    it('tags the instance for the stage, which sessions and terminations require', () => {
      const instanceTags = data.TagSpecifications.find(
        (s: any) => s.ResourceType === 'instance',
      ).Tags;
      expect(instanceTags).toContainEqual({ Key: 'bulwark:break-glass', Value: lower });
    });

    it("gives the instance role the agent's calls, session log delivery and connect as bulwark_operator only", () => {
      const instanceRole = onlyResource(t, 'AWS::IAM::Role', 'BreakGlassInstanceRole');
      expect(instanceRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
        Service: 'ec2.amazonaws.com',
      });
      // No AWS managed policy: its one managed policy is Bulwark's own.
      expect(instanceRole.Properties.ManagedPolicyArns).toBeUndefined();
      const policy = statementsOf(
        onlyResource(t, 'AWS::IAM::ManagedPolicy', 'BreakGlassInstancePolicy'),
      );
      expect(Object.keys(policy).sort()).toEqual([
        'CheckTheBucketIsEncrypted',
        'CheckTheLogGroupIsEncrypted',
        'EncryptTranscriptsThroughS3',
        'SessionChannelKey',
        'SessionManagerAgentRegisters',
        'SessionManagerChannels',
        'StreamSessionsToTheLogGroup',
        'UploadSessionTranscripts',
      ]);
      expect(policy.EncryptTranscriptsThroughS3.Condition.StringEquals).toEqual({
        'kms:ViaService': 's3.eu-west-1.amazonaws.com',
        'kms:EncryptionContext:aws:s3:arn': arnOf('BreakGlassSessionLogBucket'),
      });
      const connect = onlyResource(t, 'AWS::IAM::Policy', 'BreakGlassInstanceRoleDefaultPolicy');
      const statement = connect.Properties.PolicyDocument.Statement;
      expect(statement).toHaveLength(1);
      expect(statement[0].Action).toBe('rds-db:connect');
      expect(JSON.stringify(statement[0].Resource)).toMatch(/\/bulwark_operator"\]\]\}$/);
    });
  });

  describe('MON-AUDIT: the session document', () => {
    const doc = onlyResource(t, 'AWS::SSM::Document').Properties;

    it('is a stage-specific Session document that records to S3 and CloudWatch Logs, encrypted', () => {
      expect(doc).toMatchObject({
        Name: `bulwark-${lower}-break-glass-session`,
        DocumentType: 'Session',
        UpdateMethod: 'NewVersion',
      });
      expect(doc.Content.inputs).toMatchObject({
        s3BucketName: ref('BreakGlassSessionLogBucket'),
        s3KeyPrefix: `break-glass/${lower}`,
        s3EncryptionEnabled: true,
        cloudWatchLogGroupName: ref('BreakGlassSessionLogGroup'),
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        kmsKeyId: arnOf('BreakGlassSessionKey'),
        runAsEnabled: false,
        idleSessionTimeout: '15',
        maxSessionDuration: '60',
      });
    });

    it('greets the operator with psql against the proxy as bulwark_operator with verify-full TLS', () => {
      const profile = JSON.stringify(doc.Content.inputs.shellProfile.linux);
      expect(profile).toContain('PGUSER=bulwark_operator');
      expect(profile).toContain('PGSSLMODE=verify-full');
      expect(profile).toContain('aws rds generate-db-auth-token');
      expect(profile).toContain('Fn::ImportValue');
    });

    it('keeps the logs for the audit retention, encrypted with the audit key', () => {
      const group = onlyResource(t, 'AWS::Logs::LogGroup', 'BreakGlassSessionLogGroup');
      expect(group.Properties).toMatchObject({
        LogGroupName: `/bulwark/${lower}/break-glass/sessions`,
        RetentionInDays: AUDIT_DAYS[stage],
        KmsKeyId: arnOf('AuditKey'),
      });
      const bucket = onlyResource(t, 'AWS::S3::Bucket', 'BreakGlassSessionLogBucket').Properties;
      expect(
        bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
      ).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf('AuditKey') });
      expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({
        ExpirationInDays: AUDIT_DAYS[stage],
        Status: 'Enabled',
      });
      expect(bucket.LoggingConfiguration.LogFilePrefix).toBe('BreakGlassSessionLogBucket/');
    });
  });

  describe('MON-ALERT: each assumption pages on-call', () => {
    it('routes AssumeRole of the role to the alert topic, saying who, from where and why', () => {
      const rule = onlyResource(t, 'AWS::Events::Rule', 'BreakGlassAssumedRule').Properties;
      expect(rule.State).toBe('ENABLED');
      expect(rule.EventPattern).toEqual({
        source: ['aws.sts'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: { roleArn: [arnOf('BreakGlassRole')] },
          errorCode: [{ exists: false }],
        },
      });
      const [target] = rule.Targets;
      expect(target.Arn).toEqual(ref('AlertTopic'));
      expect(target.DeadLetterConfig.Arn).toEqual(arnOf('BreakGlassAlertDeadLetterQueue'));
      expect(Object.values(target.InputTransformer.InputPathsMap).sort()).toEqual([
        '$.detail.eventTime',
        '$.detail.requestParameters.roleSessionName',
        '$.detail.requestParameters.tags[0].value',
        '$.detail.sourceIPAddress',
        '$.detail.userIdentity.arn',
      ]);
      expect(JSON.stringify(target.InputTransformer.InputTemplate)).toContain(
        `bulwark-${lower}-break-glass`,
      );
    });

    it('alarms on every assumption seen in the multi-region trail, in any region', () => {
      const filter = onlyResource(t, 'AWS::Logs::MetricFilter', 'BreakGlassAssumedFilter');
      expect(filter.Properties.LogGroupName).toEqual(ref('AuditTrailLogGroup'));
      expect(JSON.stringify(filter.Properties.FilterPattern)).toContain(
        '($.eventName = \\"AssumeRole\\") && ($.requestParameters.roleArn = \\"',
      );
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'BreakGlassRoleAssumed',
        Namespace: 'Bulwark/BreakGlass',
        Threshold: 1,
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertTopic') }],
      });
    });

    it('lets EventBridge use the audit key for the dead-letter queue', () => {
      const key = onlyResource(t, 'AWS::KMS::Key', 'AuditKey').Properties.KeyPolicy.Statement;
      expect(key).toContainEqual(
        expect.objectContaining({
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      );
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: {
              'Fn::GetAtt': [
                Match.stringLikeRegexp('^BreakGlassAlertDeadLetterQueue'),
                'QueueName',
              ],
            },
          },
        ],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertTopic') }],
      });
    });
  });

  it('outputs what npm run break-glass and npm run verify read', () => {
    const outputs = t.toJSON().Outputs;
    for (const key of [
      'breakGlassRoleArn',
      'breakGlassLaunchTemplateId',
      'breakGlassSubnetIds',
      'breakGlassDocumentName',
      'breakGlassLogGroupName',
      'breakGlassBucketName',
      'breakGlassAlarmName',
      'breakGlassRuleName',
    ] as const) {
      expect(outputs[OUTPUT_KEYS.Security[key]]).toBeDefined();
    }
  });
});

describe.each(STAGES)('Break-glass network (%s)', (stage) => {
  const t = template(stage, 'Network');

  it('has the interface endpoints Session Manager needs', () => {
    const services = Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint')).map((e) =>
      JSON.stringify(e.Properties.ServiceName),
    );
    for (const svc of ['.ssm"', '.ssmmessages"', '.ec2messages"']) {
      expect(services.filter((s) => s.includes(svc))).toHaveLength(1);
    }
  });

  it('lets the access instance reach only the proxy port, the endpoints and S3, and admits nothing', () => {
    const group = onlyResource(t, 'AWS::EC2::SecurityGroup', 'SecurityGroupsBreakGlassAccess');
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    const egress = [
      ...(group.Properties.SecurityGroupEgress ?? []),
      ...Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupEgress'))
        .filter((e) =>
          JSON.stringify(e.Properties.GroupId).includes('SecurityGroupsBreakGlassAccess'),
        )
        .map((e) => e.Properties),
    ];
    expect(egress.map((e) => [e.FromPort, e.ToPort]).sort()).toEqual([
      [443, 443],
      [443, 443],
      [5432, 5432],
    ]);
    expect(JSON.stringify(egress)).not.toContain('0.0.0.0/0');
    const proxyIngress = Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupIngress')).filter(
      (i) =>
        JSON.stringify(i.Properties.GroupId).includes('SecurityGroupsProxy') &&
        JSON.stringify(i.Properties.SourceSecurityGroupId).includes('BreakGlassAccess'),
    );
    expect(proxyIngress.map((i) => i.Properties.FromPort)).toEqual([5432]);
  });
});
