import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetDocumentCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SESSION_LIMITS } from '../../../lib/constructs/break-glass-session-document';
import { type CheckId, type CheckResult, arnName, judge, observed } from './types';

const DOCUMENT: CheckId = [
  'MON-AUDIT',
  'break-glass sessions are recorded to CloudWatch Logs and S3, encrypted',
];
const ALARM: CheckId = ['MON-ALERT', 'break-glass role assumption alarm pages the alert topic'];

/** What the deployed break-glass path must match (Security stack outputs). */
export interface BreakGlassExpectation {
  readonly documentName: string;
  readonly logGroupName: string;
  readonly bucketName: string;
  readonly alarmName: string;
  readonly topicArn: string;
}

/**
 * MON-AUDIT, MON-ALERT: the deployed session document (GetDocument, its default
 * version) is a `Session` document that streams to the stage's session log group and
 * uploads to its bucket, both with encryption on, encrypts the session channel with a
 * customer key and ends sessions within the hour; the alarm on assumptions of the
 * break-glass role (DescribeAlarms) exists, has its actions enabled and notifies the
 * alert topic.
 */
export async function checkBreakGlass(
  ssm: SSMClient,
  cloudWatch: CloudWatchClient,
  e: BreakGlassExpectation,
): Promise<CheckResult[]> {
  const [document, alarm] = await Promise.all([
    observed(
      [DOCUMENT],
      () => ssm.send(new GetDocumentCommand({ Name: e.documentName })),
      (d) => {
        let inputs: Record<string, unknown> = {};
        try {
          inputs =
            (JSON.parse(d.Content ?? '{}') as { inputs?: Record<string, unknown> }).inputs ?? {};
        } catch {
          // An unreadable document fails every property below.
        }
        const problems = [
          d.DocumentType !== 'Session' && `DocumentType ${d.DocumentType ?? 'absent'}`,
          inputs.s3BucketName !== e.bucketName &&
            `s3BucketName ${String(inputs.s3BucketName ?? 'absent')}`,
          inputs.s3EncryptionEnabled !== true && 's3EncryptionEnabled not true',
          inputs.cloudWatchLogGroupName !== e.logGroupName &&
            `cloudWatchLogGroupName ${String(inputs.cloudWatchLogGroupName ?? 'absent')}`,
          inputs.cloudWatchEncryptionEnabled !== true && 'cloudWatchEncryptionEnabled not true',
          inputs.cloudWatchStreamingEnabled !== true && 'cloudWatchStreamingEnabled not true',
          !inputs.kmsKeyId && 'no kmsKeyId',
          !(
            Number(inputs.maxSessionDuration) > 0 &&
            Number(inputs.maxSessionDuration) <= SESSION_LIMITS.maxSessionMinutes
          ) && `maxSessionDuration ${String(inputs.maxSessionDuration ?? 'absent')}`,
        ].filter((p): p is string => typeof p === 'string');
        return [
          judge(
            ...DOCUMENT,
            problems.length === 0,
            problems.length === 0
              ? `${e.documentName} (version ${d.DocumentVersion ?? '?'}): S3 ${e.bucketName} and log group ${e.logGroupName}, encrypted, streaming, key ${String(inputs.kmsKeyId)}, at most ${String(inputs.maxSessionDuration)} minutes`
              : `${e.documentName}: ${problems.join('; ')}; expected a Session document recording to ${e.bucketName} and ${e.logGroupName}, encrypted, with a kmsKeyId and maxSessionDuration <= ${SESSION_LIMITS.maxSessionMinutes}`,
          ),
        ];
      },
    ),
    observed(
      [ALARM],
      () =>
        cloudWatch.send(
          new DescribeAlarmsCommand({ AlarmNames: [e.alarmName], AlarmTypes: ['MetricAlarm'] }),
        ),
      (out) => {
        const a = out.MetricAlarms?.[0];
        const topic = arnName(e.topicArn);
        if (!a) return [judge(...ALARM, false, `${e.alarmName} not found in CloudWatch`)];
        const pages = a.ActionsEnabled !== false && (a.AlarmActions ?? []).includes(e.topicArn);
        return [
          judge(
            ...ALARM,
            pages,
            pages
              ? `${e.alarmName} (${a.Namespace}/${a.MetricName}) notifies ${topic}`
              : `${e.alarmName}: actions ${a.ActionsEnabled === false ? 'disabled' : `[${(a.AlarmActions ?? []).join(', ')}]`}; expected enabled actions notifying ${e.topicArn}`,
          ),
        ];
      },
    ),
  ]);
  return [...document, ...alarm];
}
