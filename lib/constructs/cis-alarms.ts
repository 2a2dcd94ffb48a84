import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Metric namespace of the audit-trail alarms. */
export const CIS_NAMESPACE = 'Bulwark/AuditTrail';

/**
 * CloudTrail filter patterns from the CIS AWS Foundations Benchmark (section 4,
 * Monitoring) for the events that must page someone.
 */
export const CIS_PATTERNS = {
  RootAccountUsage:
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  UnauthorizedApiCalls:
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  ConsoleSignInWithoutMfa:
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  IamPolicyChanges:
    '{ ($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }',
  CloudTrailChanges:
    '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
  SecurityGroupChanges:
    '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
  KmsKeyDeletion:
    '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
} as const;

/** Properties of {@link CisAlarms}. */
export interface CisAlarmsProps {
  /** CloudWatch Logs copy of the CloudTrail trail. */
  readonly trailLogGroup: logs.ILogGroup;
  /** Topic that receives the alarms. */
  readonly alertTopic: sns.ITopic;
}

/**
 * Metric filters on the audit trail and one alarm per filter to on-call
 * (MON-ALERT): any single matching event in five minutes raises the alarm.
 */
export class CisAlarms extends Construct {
  /** The alarms by filter name. */
  readonly alarms: Record<keyof typeof CIS_PATTERNS, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: CisAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.alertTopic);
    const alarms = {} as Record<keyof typeof CIS_PATTERNS, cloudwatch.Alarm>;
    for (const [name, pattern] of Object.entries(CIS_PATTERNS)) {
      const filter = new logs.MetricFilter(this, `${name}Filter`, {
        logGroup: props.trailLogGroup,
        filterPattern: logs.FilterPattern.literal(pattern),
        metricNamespace: CIS_NAMESPACE,
        metricName: name,
        metricValue: '1',
      });
      const alarm = filter
        .metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) })
        .createAlarm(this, `${name}Alarm`, {
          alarmDescription: `CIS: ${name} seen in the audit trail`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      alarm.addAlarmAction(action);
      alarms[name as keyof typeof CIS_PATTERNS] = alarm;
    }
    this.alarms = alarms;
  }
}
