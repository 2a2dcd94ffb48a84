import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addStage } from '../../lib/app';
import { loadStageConfigs } from '../../lib/config';
import { CIS_PATTERNS } from '../../lib/constructs/cis-alarms';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';
import { projectContext } from '../support/synth';

const SEVERITY = { Staging: 7, Production: 4 } as const;
const AUDIT_DAYS = { Staging: 365, Production: 731 } as const;
const ACCOUNT = { Staging: '111111111111', Production: '222222222222' } as const;
const topicRef = { Ref: Match.stringLikeRegexp('^AlertTopic') };

describe.each(STAGES)('Security stack (%s)', (stage) => {
  const t = template(stage, 'Security');

  describe('MON-AUDIT', () => {
    it('records every region with log-file validation, KMS and CloudWatch Logs', () => {
      t.hasResourceProperties('AWS::CloudTrail::Trail', {
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        IsLogging: true,
        KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
        CloudWatchLogsLogGroupArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^AuditTrailLogGroup'), 'Arn'],
        },
      });
    });

    it("lets CloudTrail use the audit key exactly as AWS's documented key policy for a trail says", () => {
      const trailArn = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT[stage]}:trail/bulwark-${stage.toLowerCase()}-audit`;
      expect(onlyResource(t, 'AWS::CloudTrail::Trail').Properties.TrailName).toBe(
        `bulwark-${stage.toLowerCase()}-audit`,
      );
      const statements = onlyResource(t, 'AWS::KMS::Key', 'AuditKey').Properties.KeyPolicy
        .Statement;
      const cloudTrail = statements.filter(
        (st: any) => st.Principal?.Service === 'cloudtrail.amazonaws.com',
      );
      expect(cloudTrail).toEqual([
        {
          Sid: 'AllowCloudTrailToEncryptLogs',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceArn': trailArn },
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT[stage]}:trail/*`,
            },
          },
        },
        // DescribeKey carries no encryption context: no condition on it may need one.
        {
          Sid: 'AllowCloudTrailToDescribeKey',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
        },
        // The trail bucket uses an S3 Bucket Key; only this trail may decrypt.
        {
          Sid: 'AllowCloudTrailToDecryptTrail',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
        },
      ]);
    });

    it('records S3 data events of the backup and assets buckets (ACC-DATA)', () => {
      const trail = onlyResource(t, 'AWS::CloudTrail::Trail');
      const dataSelector = trail.Properties.EventSelectors.find((s: any) => s.DataResources);
      expect(dataSelector.ReadWriteType).toBe('All');
      const values = JSON.stringify(dataSelector.DataResources);
      expect(values).toContain('BackupBucket');
      expect(values).toContain('AssetsBucket');
    });

    it(`keeps the trail ${AUDIT_DAYS[stage]} days in its retained bucket and log group (RET-DATA)`, () => {
      const bucket = onlyResource(t, 'AWS::S3::Bucket', 'AuditTrailBucket');
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ ExpirationInDays: AUDIT_DAYS[stage] }),
      );
      t.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          RetentionInDays: AUDIT_DAYS[stage],
          KmsKeyId: Match.anyValue(),
        }),
      });
    });
  });

  describe('THR-DETECT', () => {
    it('enables GuardDuty with S3, RDS login, Lambda network and malware protection', () => {
      t.hasResourceProperties('AWS::GuardDuty::Detector', {
        Enable: true,
        Features: Match.arrayWith(
          [
            'S3_DATA_EVENTS',
            'RDS_LOGIN_EVENTS',
            'LAMBDA_NETWORK_LOGS',
            'EBS_MALWARE_PROTECTION',
          ].map((Name) => ({
            Name,
            Status: 'ENABLED',
          })),
        ),
      });
    });

    it(`pages on-call for findings of severity ≥ ${SEVERITY[stage]}, with retries and a dead-letter queue`, () => {
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.guardduty'],
          'detail-type': ['GuardDuty Finding'],
          detail: { severity: [{ numeric: ['>=', SEVERITY[stage]] }] },
        },
        Targets: [
          Match.objectLike({
            Arn: topicRef,
            DeadLetterConfig: {
              Arn: {
                'Fn::GetAtt': [
                  Match.stringLikeRegexp('^ThreatDetectionFindingsDeadLetterQueue'),
                  'Arn',
                ],
              },
            },
          }),
        ],
      });
    });

    it('subscribes Security Hub to Foundational Best Practices and CIS', () => {
      const arns = Object.values(resourcesOf(t, 'AWS::SecurityHub::Standard')).map(
        (s) => s.Properties.StandardsArn,
      );
      expect(arns.sort()).toEqual([
        'arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0',
        'arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0',
      ]);
    });
  });

  describe('AWS Config (MON-AUDIT, THR-DETECT)', () => {
    it('records every supported and global resource type with the service-linked role', () => {
      const recorder = onlyResource(t, 'AWS::Config::ConfigurationRecorder');
      expect(recorder.Properties).toEqual({
        RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
        RecordingMode: { RecordingFrequency: 'CONTINUOUS' },
        RoleARN: `arn:aws:iam::${ACCOUNT[stage]}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      });
      // Created first when the account lacks it; IAM's InvalidInput means it exists.
      const ensure = onlyResource(t, 'Custom::AWS', 'ConfigServiceLinkedRole');
      expect(JSON.parse(ensure.Properties.Create)).toMatchObject({
        service: 'IAM',
        action: 'createServiceLinkedRole',
        parameters: { AWSServiceName: 'config.amazonaws.com' },
        ignoreErrorCodesMatching: 'InvalidInput',
      });
      expect((recorder as any).DependsOn).toContain(ensure.logicalId);
    });

    it(`delivers daily snapshots to a retained bucket with the audit key, kept ${AUDIT_DAYS[stage]} days`, () => {
      const channel = onlyResource(t, 'AWS::Config::DeliveryChannel');
      const bucket = onlyResource(t, 'AWS::S3::Bucket', 'ConfigBucket');
      expect(channel.Properties).toEqual({
        S3BucketName: { Ref: bucket.logicalId },
        S3KmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^AuditKey/), 'Arn'] },
        ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
      });
      // Either depending on the other deadlocks the creation (the recorder waits for a
      // channel to start recording; the channel waits for a recorder).
      const recorder = onlyResource(t, 'AWS::Config::ConfigurationRecorder');
      const bucketPolicy = onlyResource(t, 'AWS::S3::BucketPolicy', 'ConfigBucketPolicy').logicalId;
      expect((channel as any).DependsOn).toEqual([bucketPolicy]);
      expect((recorder as any).DependsOn).not.toContain(channel.logicalId);
      expect((recorder as any).DependsOn).toContain(bucketPolicy);
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ ExpirationInDays: AUDIT_DAYS[stage] }),
      );
      const policy = onlyResource(t, 'AWS::S3::BucketPolicy', 'ConfigBucketPolicy').Properties
        .PolicyDocument.Statement;
      const delivery = policy.find((st: any) => st.Sid === 'AWSConfigBucketDelivery');
      expect(delivery).toMatchObject({
        Principal: { Service: 'config.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: {
          StringEquals: {
            's3:x-amz-acl': 'bucket-owner-full-control',
            'AWS:SourceAccount': ACCOUNT[stage],
          },
        },
      });
    });
  });

  describe('MON-ALERT', () => {
    it('sends alerts through a KMS-encrypted, TLS-only topic to e-mail and HTTPS on-call', () => {
      t.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
      });
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      const subs = Object.values(resourcesOf(t, 'AWS::SNS::Subscription')).map((s) => s.Properties);
      expect(subs.map((s) => s.Protocol).sort()).toEqual(['email', 'https']);
      for (const s of subs) expect(s.RedrivePolicy).toBeDefined();
      expect(subs.find((s) => s.Protocol === 'https')!.Endpoint).toMatch(/^https:\/\//);
    });

    it.each(Object.keys(CIS_PATTERNS))(
      'raises an alarm to the topic on %s in the trail',
      (name) => {
        const filter = onlyResource(t, 'AWS::Logs::MetricFilter', `CisAlarms${name}Filter`);
        expect(filter.Properties.FilterPattern).toBe(
          CIS_PATTERNS[name as keyof typeof CIS_PATTERNS],
        );
        const alarm = onlyResource(t, 'AWS::CloudWatch::Alarm', `CisAlarms${name}Alarm`);
        expect(alarm.Properties).toMatchObject({
          MetricName: name,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: expect.stringMatching(/^AlertTopic/) }],
        });
      },
    );

    it("admits this account's alarms in the region to the topic (its policy replaces SNS's default)", () => {
      const statements = onlyResource(t, 'AWS::SNS::TopicPolicy', 'AlertTopicPolicy').Properties
        .PolicyDocument.Statement;
      expect(statements).toContainEqual({
        Sid: 'AllowAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^AlertTopic/) },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT[stage] },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT[stage]}:alarm:*` },
        },
      });
    });

    it('raises an alarm when alerts or findings cannot be delivered', () => {
      for (const id of ['UndeliveredAlertsAlarm', 'UndeliveredFindingsAlarm']) {
        expect(onlyResource(t, 'AWS::CloudWatch::Alarm', id).Properties).toMatchObject({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Threshold: 1,
          AlarmActions: [{ Ref: expect.stringMatching(/^AlertTopic/) }],
        });
      }
    });
  });

  it('encrypts queues with the audit key (ENC-REST)', () => {
    for (const q of Object.values(resourcesOf(t, 'AWS::SQS::Queue'))) {
      expect(q.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^AuditKey/), 'Arn'],
      });
    }
  });
});

describe('Security stack with existing account singletons', () => {
  const stages = structuredClone(projectContext().stages as Record<string, any>);
  const staging = {
    ...stages.staging,
    guardDuty: 'existing',
    securityHub: 'existing',
    awsConfig: 'existing',
  };
  const [config] = loadStageConfigs({ staging });
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-')),
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [] },
  });
  const t = Template.fromStack(addStage(app, config).security);

  it('creates no GuardDuty detector, Security Hub or AWS Config recorder, and still routes findings', () => {
    t.resourceCountIs('AWS::GuardDuty::Detector', 0);
    t.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    t.resourceCountIs('AWS::Config::DeliveryChannel', 0);
    t.resourceCountIs('AWS::SecurityHub::Hub', 0);
    t.resourceCountIs('AWS::SecurityHub::Standard', 0);
    // Findings to on-call and to threat response, and the blocklist sweep.
    const patterns = Object.values(t.findResources('AWS::Events::Rule')).map(
      (r) => r.Properties.EventPattern?.source?.[0] ?? r.Properties.ScheduleExpression,
    );
    // The break-glass page (aws.sts) is no account singleton: it is there in every stage.
    expect(patterns.sort()).toEqual(['aws.guardduty', 'aws.guardduty', 'aws.sts', 'rate(1 hour)']);
  });
});
