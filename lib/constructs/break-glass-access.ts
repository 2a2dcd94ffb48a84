import { type CfnElement, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import {
  BREAK_GLASS_TAG,
  REASON_TAG,
  SESSION_LIMITS,
  sessionDocumentContent,
  sessionLogPrefix,
} from './break-glass-session-document';
import { EncryptedLogGroup } from './encrypted-log-group';
import { EncryptionKey } from './encryption-key';
import { pageFromRule } from './rule-to-topic';
import { SecureBucket, expireAfterRetention } from './secure-bucket';
import { deadLetterAlarm, topicAlarm } from './topic-alarm';

/** Metric namespace of the break-glass alarm. */
export const BREAK_GLASS_NAMESPACE = 'Bulwark/BreakGlass';

/** Instance type of the access instance: Graviton, enough for psql and dnf. */
export const ACCESS_INSTANCE_TYPE = 't4g.micro';

/** Properties of {@link BreakGlassAccess}. */
export interface BreakGlassAccessProps {
  /** Stage name: the tag value of access instances, in descriptions and messages. */
  readonly stageName: string;
  /** Physical name of the break-glass role. */
  readonly roleName: string;
  /** Name of the Session Manager document (stage-specific). */
  readonly documentName: string;
  /** Name of the log group receiving the sessions. */
  readonly logGroupName: string;
  /** The isolated VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets the access instance may be launched into (the App subnets). */
  readonly subnets: ec2.SubnetSelection;
  /** Security group of the access instance (proxy, endpoints and S3 only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The database proxy `psql` connects through. */
  readonly proxy: rds.IDatabaseProxy;
  /** Database port. */
  readonly databasePort: number;
  /** Database name. */
  readonly databaseName: string;
  /** Database user operators connect as (IAM authentication through the proxy). */
  readonly databaseUser: string;
  /** Customer key of the session logs at rest (the Security stack's audit key). */
  readonly auditKey: kms.IKey;
  /** Retention of the session logs in days (the stage's audit retention). */
  readonly retentionDays: number;
  /** Bucket that receives the session log bucket's access logs. */
  readonly accessLogs: s3.IBucket;
  /** Topic that pages on-call. */
  readonly alertTopic: sns.ITopic;
  /** CloudWatch Logs copy of the multi-region trail (the catch-all alarm's source). */
  readonly trailLogGroup: logs.ILogGroup;
}

/**
 * Break-glass access of operators to the database (ACC-DATA, MON-AUDIT): no standing
 * human access, only
 *
 * - a role that only an MFA session of this account may assume, for at most an hour,
 *   with its reason as a session tag, allowed only to launch the on-demand access
 *   instance from its launch template into the App subnets, start a Session Manager
 *   session to it with the Bulwark session document, and terminate it;
 * - the access instance (Amazon Linux 2023, IMDSv2, encrypted volume, no public
 *   address, no inbound rule) whose role may only run the Session Manager agent,
 *   deliver the session logs, and connect through the proxy as the operator user;
 *   it shuts itself down (and so terminates) within the hour;
 * - the session document recording every session's commands and output to an
 *   encrypted log group and bucket with the audit retention;
 * - a page to on-call on every assumption of the role naming who, from where and why
 *   (EventBridge), with a CloudTrail metric-filter alarm as the catch-all for
 *   assumptions through STS endpoints of other regions.
 */
export class BreakGlassAccess extends Construct {
  /** The role operators assume with MFA. */
  readonly role: iam.Role;
  /** Role of the access instance. */
  readonly instanceRole: iam.Role;
  /** Launch template of the access instance. */
  readonly launchTemplate: ec2.LaunchTemplate;
  /** Key of the session channel and the access instance's volume. */
  readonly sessionKey: EncryptionKey;
  /** Session Manager preferences (type `Session`). */
  readonly document: ssm.CfnDocument;
  /** Log group receiving every session as it happens. */
  readonly logGroup: EncryptedLogGroup;
  /** Bucket receiving every session's transcript. */
  readonly bucket: SecureBucket;
  /** Rule paging on-call on each assumption of the role. */
  readonly alertRule: events.Rule;
  /** Alarm on assumptions seen in the trail (every region). */
  readonly assumedAlarm: cloudwatch.Alarm;
  /** Pages the rule could not deliver. */
  readonly deadLetterQueue: sqs.Queue;
  /** Key prefix of the session transcripts in {@link bucket}. */
  readonly keyPrefix: string;
  /** Subnets the access instance may be launched into. */
  readonly subnetIds: string[];

  constructor(scope: Construct, id: string, props: BreakGlassAccessProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const arn = (service: string, resource: string, inRegion = region) =>
      `arn:${partition}:${service}:${inRegion}:${account}:${resource}`;
    const stage = props.stageName;
    this.keyPrefix = sessionLogPrefix(stage);
    this.subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;

    // A key of its own: both roles need it, and neither gets any use of the audit
    // key beyond writing this bucket's objects through S3.
    this.sessionKey = new EncryptionKey(this, 'SessionKey', {
      alias: `bulwark-${stage}-break-glass`,
      description: "Bulwark break-glass sessions' channel and the access instance's volume",
    });

    this.logGroup = new EncryptedLogGroup(this, 'SessionLogGroup', {
      logGroupName: props.logGroupName,
      encryptionKey: props.auditKey,
      retentionDays: props.retentionDays,
    });
    this.bucket = new SecureBucket(this, 'SessionLogBucket', {
      encryptionKey: props.auditKey,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'BreakGlassSessionLogBucket/',
      lifecycleRules: [expireAfterRetention(props.retentionDays)],
    });
    acknowledge(this.bucket, 'sessionLogBucketNotReplicated');
    acknowledge(this.bucket, 'logBucketWithoutObjectLock');
    acknowledge(this.bucket, 'accessLogsPolicyInTargetBucket');
    acknowledge(this.bucket, 'accessLogTargetImported');

    this.instanceRole = this.createInstanceRole(props, arn);
    this.launchTemplate = this.createLaunchTemplate(props);

    this.document = new ssm.CfnDocument(this, 'SessionDocument', {
      name: props.documentName,
      documentType: 'Session',
      documentFormat: 'JSON',
      // A fixed name cannot be replaced in place: changes become a new version.
      updateMethod: 'NewVersion',
      content: sessionDocumentContent({
        bucketName: this.bucket.bucketName,
        keyPrefix: this.keyPrefix,
        logGroupName: this.logGroup.logGroupName,
        sessionKeyId: this.sessionKey.keyArn,
        proxyEndpoint: props.proxy.endpoint,
        port: props.databasePort,
        database: props.databaseName,
        user: props.databaseUser,
        region,
      }),
    });

    this.role = this.createBreakGlassRole(props, arn);

    const alerts = this.createAlerts(props);
    this.alertRule = alerts.rule;
    this.deadLetterQueue = alerts.deadLetterQueue;
    this.assumedAlarm = alerts.alarm;
  }

  /** The instance's role: the Session Manager agent, session logs, the database. */
  private createInstanceRole(
    props: BreakGlassAccessProps,
    arn: (service: string, resource: string) => string,
  ): iam.Role {
    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Bulwark ${props.stageName}: break-glass access instance (Session Manager, session logs, psql as ${props.databaseUser})`,
      maxSessionDuration: Duration.hours(1),
    });
    const { region } = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, 'InstancePolicy', {
      description: 'Session Manager agent, session log delivery, database connect as the operator',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'SessionManagerAgentRegisters',
          actions: ['ssm:UpdateInstanceInformation'],
          resources: [arn('ec2', 'instance/*')],
        }),
        new iam.PolicyStatement({
          sid: 'SessionManagerChannels',
          actions: [
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'SessionChannelKey',
          actions: ['kms:Decrypt'],
          resources: [this.sessionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'StreamSessionsToTheLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
        }),
        // The agent checks that the group is encrypted before it streams into it.
        new iam.PolicyStatement({
          sid: 'CheckTheLogGroupIsEncrypted',
          actions: ['logs:DescribeLogGroups'],
          resources: [arn('logs', 'log-group:*')],
        }),
        new iam.PolicyStatement({
          sid: 'UploadSessionTranscripts',
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(`${this.keyPrefix}/*`)],
        }),
        // The agent checks that the bucket is encrypted before it uploads.
        new iam.PolicyStatement({
          sid: 'CheckTheBucketIsEncrypted',
          actions: ['s3:GetEncryptionConfiguration'],
          resources: [this.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptTranscriptsThroughS3',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.auditKey.keyArn],
          conditions: {
            StringEquals: {
              'kms:ViaService': `s3.${region}.amazonaws.com`,
              'kms:EncryptionContext:aws:s3:arn': this.bucket.bucketArn,
            },
          },
        }),
      ],
    });
    props.proxy.grantConnect(role, props.databaseUser);
    acknowledge(policy, 'breakGlassInstanceAgent', {
      account: Stack.of(this).account,
      region,
      logGroup: this.logicalIdOf(this.logGroup),
      bucket: this.logicalIdOf(this.bucket),
      prefix: this.keyPrefix,
    });
    acknowledge(role.node.findChild('DefaultPolicy'), 'breakGlassInstanceConnect');
    return role;
  }

  /** Amazon Linux 2023 on Graviton, private, IMDSv2, encrypted, gone within the hour. */
  private createLaunchTemplate(props: BreakGlassAccessProps): ec2.LaunchTemplate {
    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      // First, so that no instance outlives the hour whatever happens next; the
      // shutdown terminates it (InstanceInitiatedShutdownBehavior).
      `shutdown -P +${SESSION_LIMITS.maxSessionMinutes} "Bulwark break-glass: the hour is up"`,
      // Amazon Linux's package repositories are S3 buckets: reached through the S3
      // gateway endpoint, the VPC has no internet route.
      'dnf install -y postgresql17',
    );
    const template = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType: ec2.AmazonLinuxCpuType.ARM_64,
      }),
      instanceType: new ec2.InstanceType(ACCESS_INSTANCE_TYPE),
      instanceProfile: new iam.InstanceProfile(this, 'InstanceProfile', {
        role: this.instanceRole,
      }),
      securityGroup: props.securityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      instanceInitiatedShutdownBehavior: ec2.InstanceInitiatedShutdownBehavior.TERMINATE,
      detailedMonitoring: true,
      ebsOptimized: true,
      userData,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(8, {
            encrypted: true,
            kmsKey: this.sessionKey,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    Tags.of(template).add(BREAK_GLASS_TAG, props.stageName);
    return template;
  }

  /** The operators' role: MFA, one hour, a reason; only what opening a session needs. */
  private createBreakGlassRole(
    props: BreakGlassAccessProps,
    arn: (service: string, resource: string, inRegion?: string) => string,
  ): iam.Role {
    const { account, region } = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Bulwark ${props.stageName}: operator break-glass (MFA, one hour, recorded session to the database)`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.SessionTagsPrincipal(new iam.AccountPrincipal(account)).withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThan: {
          'aws:MultiFactorAuthAge': String(SESSION_LIMITS.maxSessionMinutes * 60),
        },
        // Nobody assumes it without a reason: the reason is the only session tag.
        Null: { [`aws:RequestTag/${REASON_TAG}`]: 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [REASON_TAG] },
      }),
    });
    const templateArn = arn('ec2', `launch-template/${this.launchTemplate.launchTemplateId}`);
    const fromTemplate = { ArnEquals: { 'ec2:LaunchTemplate': templateArn } };
    const tagged = { StringEquals: { [`aws:ResourceTag/${BREAK_GLASS_TAG}`]: props.stageName } };
    const withDocumentCheck = { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } };
    const policy = new iam.ManagedPolicy(this, 'RolePolicy', {
      description: 'Launch the access instance from its template, open a recorded session, end it',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'LaunchFromTheAccessTemplate',
          actions: ['ec2:RunInstances'],
          resources: [templateArn],
        }),
        new iam.PolicyStatement({
          sid: 'LaunchedResourcesComeFromTheTemplate',
          actions: ['ec2:RunInstances'],
          resources: [
            arn('ec2', 'instance/*'),
            arn('ec2', 'volume/*'),
            arn('ec2', 'network-interface/*'),
          ],
          conditions: {
            ...fromTemplate,
            StringEquals: { 'ec2:InstanceType': ACCESS_INSTANCE_TYPE },
          },
        }),
        new iam.PolicyStatement({
          sid: 'TheTemplateImageAndGroupOnly',
          actions: ['ec2:RunInstances'],
          resources: [
            `arn:${Stack.of(this).partition}:ec2:${region}::image/*`,
            arn('ec2', `security-group/${props.securityGroup.securityGroupId}`),
          ],
          conditions: { ...fromTemplate, Bool: { 'ec2:IsLaunchTemplateResource': 'true' } },
        }),
        new iam.PolicyStatement({
          sid: 'IntoTheAppSubnetsOnly',
          actions: ['ec2:RunInstances'],
          resources: this.subnetIds.map((s) => arn('ec2', `subnet/${s}`)),
          conditions: fromTemplate,
        }),
        new iam.PolicyStatement({
          sid: 'PassTheInstanceRoleToEc2',
          actions: ['iam:PassRole'],
          resources: [this.instanceRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          sid: 'TagOnlyAtLaunch',
          actions: ['ec2:CreateTags'],
          resources: [
            arn('ec2', 'instance/*'),
            arn('ec2', 'volume/*'),
            arn('ec2', 'network-interface/*'),
          ],
          conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
        }),
        // The launch encrypts the volume with the session key: EC2 uses it for the caller.
        new iam.PolicyStatement({
          sid: 'EncryptTheVolumeThroughEc2',
          actions: [
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:Decrypt',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
            'kms:DescribeKey',
          ],
          resources: [this.sessionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'GrantTheVolumeKeyToEc2',
          actions: ['kms:CreateGrant'],
          resources: [this.sessionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` },
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'SessionToTaggedInstancesOnly',
          actions: ['ssm:StartSession'],
          resources: [arn('ec2', 'instance/*')],
          conditions: { ...tagged, ...withDocumentCheck },
        }),
        new iam.PolicyStatement({
          sid: 'WithTheBulwarkSessionDocumentOnly',
          actions: ['ssm:StartSession'],
          resources: [arn('ssm', `document/${props.documentName}`)],
          conditions: withDocumentCheck,
        }),
        // Session Manager encrypts the session channel with the session key.
        new iam.PolicyStatement({
          sid: 'EncryptTheSessionChannel',
          actions: ['kms:GenerateDataKey'],
          resources: [this.sessionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'EndOrResumeOwnSessions',
          actions: ['ssm:TerminateSession', 'ssm:ResumeSession'],
          resources: [arn('ssm', 'session/${aws:userid}-*')],
        }),
        new iam.PolicyStatement({
          sid: 'TerminateAccessInstancesOnly',
          actions: ['ec2:TerminateInstances'],
          resources: [arn('ec2', 'instance/*')],
          conditions: tagged,
        }),
        new iam.PolicyStatement({
          sid: 'WaitForTheInstance',
          actions: ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation'],
          resources: ['*'],
        }),
      ],
    });
    acknowledge(policy, 'breakGlassRoleScopedByCondition', { account, region });
    return role;
  }

  /** A page on every assumption: EventBridge (who, where from, why) and the trail. */
  private createAlerts(props: BreakGlassAccessProps) {
    const roleArn = this.role.roleArn;
    // Successful assumptions page; refused ones (no MFA, no reason) raise the CIS
    // unauthorized-calls alarm instead.
    const rule = new events.Rule(this, 'AssumedRule', {
      description: `Pages on-call when ${props.roleName} is assumed`,
      eventPattern: {
        source: ['aws.sts'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: { roleArn: [roleArn] },
          errorCode: [{ exists: false }],
        },
      },
    });
    const field = (path: string) => events.EventField.fromPath(path);
    const deadLetterQueue = pageFromRule(this, 'AlertDeadLetterQueue', rule, {
      topic: props.alertTopic,
      encryptionKey: props.auditKey,
      message: events.RuleTargetInput.fromText(
        `Break-glass role ${props.roleName} (stage ${props.stageName}) assumed by ` +
          `${field('$.detail.userIdentity.arn')} from ${field('$.detail.sourceIPAddress')} ` +
          `at ${field('$.detail.eventTime')}, session ${field('$.detail.requestParameters.roleSessionName')}, ` +
          `reason: ${field('$.detail.requestParameters.tags[0].value')}. ` +
          `Session logs: ${props.logGroupName} and s3://${this.bucket.bucketName}/${this.keyPrefix}/.`,
      ),
    });
    deadLetterAlarm(
      this,
      'UndeliveredAlertsAlarm',
      props.alertTopic,
      deadLetterQueue,
      `Undelivered break-glass pages of ${props.roleName}`,
    );

    // STS events of the global endpoint (and of other regions' endpoints) never reach
    // this region's EventBridge; the multi-region trail's log group sees them all.
    const filter = new logs.MetricFilter(this, 'AssumedFilter', {
      logGroup: props.trailLogGroup,
      filterPattern: logs.FilterPattern.literal(
        `{ ($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "${roleArn}") && ($.errorCode NOT EXISTS) }`,
      ),
      metricNamespace: BREAK_GLASS_NAMESPACE,
      metricName: 'BreakGlassRoleAssumed',
      metricValue: '1',
    });
    const alarm = topicAlarm(this, 'AssumedAlarm', props.alertTopic, {
      metric: filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      description: `Break-glass role ${props.roleName} (stage ${props.stageName}) was assumed: see the AssumeRole event in CloudTrail for who and why, and the session in ${props.logGroupName}`,
      threshold: 1,
    });
    return { rule, deadLetterQueue, alarm };
  }

  private logicalIdOf(construct: Construct): string {
    return Stack.of(this).getLogicalId(construct.node.defaultChild as CfnElement);
  }
}
