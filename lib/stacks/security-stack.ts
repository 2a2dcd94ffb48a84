import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type StageConfig, blocklistLocations, physicalNames } from '../config';
import type { AccessLogBucket } from '../constructs/access-log-bucket';
import { AlertTopic } from '../constructs/alert-topic';
import { AuditTrail } from '../constructs/audit-trail';
import { CisAlarms } from '../constructs/cis-alarms';
import { ConfigRecorder } from '../constructs/config-recorder';
import { EncryptionKey } from '../constructs/encryption-key';
import { PeopleDirectory } from '../constructs/people-directory';
import { SecurityHub } from '../constructs/security-hub';
import { ThreatDetection } from '../constructs/threat-detection';
import { ThreatResponse } from '../constructs/threat-response';
import { OUTPUT_KEYS } from '../stage-layout';

const OUTPUTS = OUTPUT_KEYS.Security;

/** Properties of the {@link SecurityStack}. */
export interface SecurityStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
  /** Bucket receiving the trail bucket's access logs. */
  readonly accessLogBucket: AccessLogBucket;
  /** Buckets whose object-level activity is recorded (backups, assets). */
  readonly dataEventBuckets: s3.IBucket[];
}

/**
 * Audit, threat detection and response (termination-protected; the trail bucket and
 * the blocklist table are retained): CloudTrail, GuardDuty, Security Hub, the alert
 * topic, the finding routes, threat response and the CIS alarms.
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
    new CfnOutput(this, OUTPUTS.alertTopicArn, { value: this.alertTopic.topic.topicArn });
    new CfnOutput(this, OUTPUTS.trailArn, { value: this.auditTrail.trail.trailArn });
    if (this.threatDetection.detector) {
      new CfnOutput(this, OUTPUTS.detectorId, { value: this.threatDetection.detector.ref });
    }
  }
}
