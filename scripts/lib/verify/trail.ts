import {
  type CloudTrailClient,
  GetTrailCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { type CheckId, type CheckResult, arnName, judge, observed } from './types';

const LOGGING: CheckId = ['MON-AUDIT', 'audit trail is logging'];
const VALIDATION: CheckId = ['MON-AUDIT', 'audit trail validates log files'];
const MULTI_REGION: CheckId = ['MON-AUDIT', 'audit trail covers every region'];
const KMS: CheckId = ['MON-AUDIT', 'audit trail is encrypted with a KMS key'];

/**
 * MON-AUDIT: the stage's trail (Security stack output `TrailArn`) is logging
 * (GetTrailStatus `IsLogging`), validates log files, is multi-region and is
 * encrypted with a KMS key (GetTrail).
 */
export async function checkTrail(
  client: CloudTrailClient,
  trailArn: string,
): Promise<CheckResult[]> {
  const name = arnName(trailArn);
  const [status, trail] = await Promise.all([
    observed(
      [LOGGING],
      () => client.send(new GetTrailStatusCommand({ Name: trailArn })),
      (s) => [
        judge(
          ...LOGGING,
          s.IsLogging === true,
          s.IsLogging
            ? `${name} is logging`
            : `${name} is not logging${s.StopLoggingTime ? ` (stopped ${s.StopLoggingTime.toISOString()})` : ''}; expected IsLogging true`,
        ),
      ],
    ),
    observed(
      [VALIDATION, MULTI_REGION, KMS],
      () => client.send(new GetTrailCommand({ Name: trailArn })),
      ({ Trail: t }) => [
        judge(
          ...VALIDATION,
          t?.LogFileValidationEnabled === true,
          `${name}: LogFileValidationEnabled ${t?.LogFileValidationEnabled ?? 'absent'}; expected true`,
        ),
        judge(
          ...MULTI_REGION,
          t?.IsMultiRegionTrail === true,
          `${name}: IsMultiRegionTrail ${t?.IsMultiRegionTrail ?? 'absent'}; expected true`,
        ),
        judge(
          ...KMS,
          Boolean(t?.KmsKeyId),
          t?.KmsKeyId ? `${name}: KmsKeyId ${t.KmsKeyId}` : `${name}: no KmsKeyId; expected a key`,
        ),
      ],
    ),
  ]);
  return [...status, ...trail];
}
