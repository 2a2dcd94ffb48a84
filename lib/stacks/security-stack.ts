import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type StageConfig, blocklistLocations, physicalNames } from '../config';
import type { AccessLogBucket } from '../constructs/access-log-bucket';
import { AlertTopic } from '../constructs/alert-topic';
import { AuditTrail } from '../constructs/audit-trail';
import { BreakGlassAccess } from '../constructs/break-glass-access';
import { CisAlarms } from '../constructs/cis-alarms';
import { ConfigRecorder } from '../constructs/config-recorder';
import { DATABASE_NAME, DATABASE_PORT, OPERATOR_DB_USER } from '../constructs/database';
import { EncryptionKey } from '../constructs/encryption-key';
import type { IsolatedNetwork } from '../constructs/isolated-network';
import { PeopleDirectory } from '../constructs/people-directory';
import { SecurityHub } from '../constructs/security-hub';
import { ThreatDetection } from '../constructs/threat-detection';
import { ThreatResponse } from '../constructs/threat-response';
import type { WorkloadSecurityGroups } from '../constructs/workload-security-groups';
import { ACCOUNT_SERVICES, ACCOUNT_SERVICES_METADATA, OUTPUT_KEYS } from '../stage-layout';

const OUTPUTS = OUTPUT_KEYS.Security;

/** Properties of the {@link SecurityStack}. */
export interface SecurityStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
  /** Bucket receiving the trail bucket's access logs. */
  readonly accessLogBucket: AccessLogBucket;
  /** Buckets whose object-level activity is recorded (backups, assets). */
  readonly dataEventBuckets: s3.IBucket[];
  /** The isolated network the break-glass access instance is launched into. */
  readonly network: IsolatedNetwork;
  /** Security groups of the workloads (the access instance's among them). */
  readonly securityGroups: WorkloadSecurityGroups;
  /** The database proxy operators reach through the break-glass path. */
  readonly databaseProxy: rds.IDatabaseProxy;
}

/**
 * Audit, threat detection and response (termination-protected; the trail bucket and
 * the blocklist table are retained): CloudTrail, GuardDuty, Security Hub, the alert
 * topic, the finding routes, threat response, the CIS alarms, and the operators'
 * break-glass access with its session logging and its page to on-call.
 */
export class SecurityStack extends Stack {
  /** Key of the trail, its log group, the alert topic and queues. */
  readonly auditKey: EncryptionKey;
  /** Topic every alarm goes to. */
  readonly alertTopic: AlertTopic;
  /** CloudTrail. */
  readonly auditTrail: AuditTrail;
  /** GuardDuty and the finding route. */
  readonly threatDetection: ThreatDetection;
  /** Findings' remote addresses into the WAF blocklists. */
  readonly threatResponse: ThreatResponse;
  /** People's sign-in (user pool, SSO, CMS client). */
  readonly people: PeopleDirectory;
  /** AWS Config recorder and delivery channel, when the stage creates them. */
  readonly configRecorder?: ConfigRecorder;
  /** Operators' MFA break-glass role, access instance and recorded sessions. */
  readonly breakGlass: BreakGlassAccess;

  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const cfg = props.config;
    this.auditKey = new EncryptionKey(this, 'AuditKey', {
      alias: `bulwark-${cfg.name}-audit`,
      description: 'Bulwark audit trail, alert topic and security queues',
      allowCloudWatchLogs: true,
      servicePrincipals: ['events', 'cloudwatch', 'sns', 'config'],
    });
    this.alertTopic = new AlertTopic(this, 'AlertTopic', {
      encryptionKey: this.auditKey,
      email: cfg.alerts.email,
      onCallUrl: cfg.alerts.onCallUrl,
    });
    const accessLogs = props.accessLogBucket.target(this, 'AccessLogBucket');
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      trailName: physicalNames(cfg).trailName,
      encryptionKey: this.auditKey,
      retentionDays: cfg.auditLogRetentionDays,
      accessLogs,
      dataEventBuckets: props.dataEventBuckets,
    });
    this.threatDetection = new ThreatDetection(this, 'ThreatDetection', {
      createDetector: cfg.guardDuty === 'create',
      minSeverity: cfg.alerts.guardDutyMinSeverity,
      alertTopic: this.alertTopic.topic,
      encryptionKey: this.auditKey,
    });
    this.threatResponse = new ThreatResponse(this, 'ThreatResponse', {
      stageName: cfg.name,
      settings: cfg.threatResponse,
      trustedCidrs: cfg.trustedCidrs,
      blocklists: blocklistLocations(cfg),
      logRetentionDays: cfg.logRetentionDays,
      alertTopic: this.alertTopic.topic,
      encryptionKey: this.auditKey,
    });
    new CfnOutput(this, OUTPUTS.blocklistTableName, { value: this.threatResponse.table.tableName });
    new CfnOutput(this, OUTPUTS.threatResponseFunctionName, {
      value: this.threatResponse.function.functionName,
    });
    this.people = new PeopleDirectory(this, 'People', {
      stageName: cfg.name,
      people: cfg.people,
      logRetentionDays: cfg.logRetentionDays,
      logKey: this.auditKey,
    });
    new CfnOutput(this, OUTPUTS.userPoolId, { value: this.people.userPool.userPoolId });
    new CfnOutput(this, OUTPUTS.cmsClientId, { value: this.people.client.userPoolClientId });
    this.templateOptions.metadata = {
      ...this.templateOptions.metadata,
      [ACCOUNT_SERVICES_METADATA]: Object.fromEntries(ACCOUNT_SERVICES.map((s) => [s, cfg[s]])),
    };
    if (cfg.securityHub === 'create') {
      new SecurityHub(this, 'SecurityHub');
    }
    if (cfg.awsConfig === 'create') {
      this.configRecorder = new ConfigRecorder(this, 'Config', {
        encryptionKey: this.auditKey,
        retentionDays: cfg.auditLogRetentionDays,
        accessLogs,
        logRetentionDays: cfg.logRetentionDays,
      });
      new CfnOutput(this, OUTPUTS.configRecorderName, { value: this.configRecorder.recorder.ref });
    }
    this.alertTopic.alarmOnDeadLetters(
      this,
      'UndeliveredAlertsAlarm',
      this.alertTopic.deadLetterQueue,
    );
    this.alertTopic.alarmOnDeadLetters(
      this,
      'UndeliveredFindingsAlarm',
      this.threatDetection.deadLetterQueue,
    );
    new CisAlarms(this, 'CisAlarms', {
      trailLogGroup: this.auditTrail.logGroup,
      alertTopic: this.alertTopic.topic,
    });
    const names = physicalNames(cfg);
    this.breakGlass = new BreakGlassAccess(this, 'BreakGlass', {
      stageName: cfg.name,
      roleName: names.breakGlassRole,
      documentName: names.breakGlassSessionDocument,
      logGroupName: names.breakGlassLogGroup,
      vpc: props.network.vpc,
      subnets: props.network.appSubnets,
      securityGroup: props.securityGroups.access,
      proxy: props.databaseProxy,
      databasePort: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      databaseUser: OPERATOR_DB_USER,
      auditKey: this.auditKey,
      retentionDays: cfg.auditLogRetentionDays,
      accessLogs,
      alertTopic: this.alertTopic.topic,
      trailLogGroup: this.auditTrail.logGroup,
    });
    this.breakGlassOutputs();
    new CfnOutput(this, OUTPUTS.alertTopicArn, { value: this.alertTopic.topic.topicArn });
    new CfnOutput(this, OUTPUTS.trailArn, { value: this.auditTrail.trail.trailArn });
    if (this.threatDetection.detector) {
      new CfnOutput(this, OUTPUTS.detectorId, { value: this.threatDetection.detector.ref });
    }
  }

  /** What `npm run break-glass` and `npm run verify` read. */
  private breakGlassOutputs(): void {
    const bg = this.breakGlass;
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(OUTPUTS.breakGlassRoleArn, bg.role.roleArn, 'Role of npm run break-glass (MFA)');
    output(
      OUTPUTS.breakGlassLaunchTemplateId,
      bg.launchTemplate.launchTemplateId!,
      'Launch template of the break-glass access instance',
    );
    output(
      OUTPUTS.breakGlassSubnetIds,
      Fn.join(',', bg.subnetIds),
      'Subnets the access instance may be launched into',
    );
    output(OUTPUTS.breakGlassDocumentName, bg.document.ref, 'Session Manager document of sessions');
    output(OUTPUTS.breakGlassLogGroupName, bg.logGroup.logGroupName, 'Log group of sessions');
    output(OUTPUTS.breakGlassBucketName, bg.bucket.bucketName, 'Bucket of session transcripts');
    output(OUTPUTS.breakGlassAlarmName, bg.assumedAlarm.alarmName, 'Alarm on every assumption');
    output(OUTPUTS.breakGlassRuleName, bg.alertRule.ruleName, 'Rule paging on every assumption');
  }
}
