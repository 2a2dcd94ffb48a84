import {
  GetBucketReplicationCommand,
  GetObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type CheckId, type CheckResult, judge, observed } from './types';

/** What the backup vaults must hold (Data and Recovery stacks, `ObjectLockVault`). */
export interface BackupVaultExpectation {
  /** The Data stack's `BackupBucketName` output. */
  readonly backupBucket: string;
  /** The Recovery stack's `ReplicaBucketName` output. */
  readonly replicaBucket: string;
  /** Recovery region, for evidence. */
  readonly drRegion: string;
  /** `backupRetentionDays` of the stage: the COMPLIANCE lock of both vaults. */
  readonly retentionDays: number;
}

/**
 * The backup vaults:
 * - BKP-DAILY: the backup vault locks new objects in COMPLIANCE mode for exactly the
 *   configured days (GetObjectLockConfiguration);
 * - BKP-REMOTE: it replicates to the replica vault with a KMS key (GetBucketReplication),
 *   and the replica vault is locked the same way.
 *
 * @param s3 a client in the primary region
 * @param drS3 a client in the recovery region
 */
export async function checkBackupVaults(
  s3: S3Client,
  drS3: S3Client,
  expected: BackupVaultExpectation,
): Promise<CheckResult[]> {
  const groups = await Promise.all([
    checkObjectLock(
      s3,
      ['BKP-DAILY', 'backup vault locks objects'],
      expected.backupBucket,
      expected,
    ),
    checkReplication(s3, expected),
    checkObjectLock(
      drS3,
      ['BKP-REMOTE', `replica vault (${expected.drRegion}) locks objects`],
      expected.replicaBucket,
      expected,
    ),
  ]);
  return groups.flat();
}

async function checkObjectLock(
  s3: S3Client,
  id: CheckId,
  bucket: string,
  expected: BackupVaultExpectation,
): Promise<CheckResult[]> {
  const want = `COMPLIANCE ${expected.retentionDays} days`;
  return observed(
    [id],
    () => s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })),
    (out) => {
      const c = out.ObjectLockConfiguration;
      const retention = c?.Rule?.DefaultRetention;
      const period = retention?.Days
        ? `${retention.Days} days`
        : retention?.Years
          ? `${retention.Years} years`
          : 'no default period';
      const seen =
        c?.ObjectLockEnabled !== 'Enabled'
          ? 'Object Lock not enabled'
          : retention
            ? `${retention.Mode ?? 'no mode'} ${period}`
            : 'no default retention';
      return [
        judge(
          ...id,
          c?.ObjectLockEnabled === 'Enabled' &&
            retention?.Mode === 'COMPLIANCE' &&
            retention.Days === expected.retentionDays &&
            retention.Years === undefined,
          `${bucket}: ${seen}; expected ${want}`,
        ),
      ];
    },
  );
}

async function checkReplication(
  s3: S3Client,
  expected: BackupVaultExpectation,
): Promise<CheckResult[]> {
  const id: CheckId = ['BKP-REMOTE', 'backup vault replicates to the recovery region'];
  const destination = `arn:aws:s3:::${expected.replicaBucket}`;
  return observed(
    [id],
    () => s3.send(new GetBucketReplicationCommand({ Bucket: expected.backupBucket })),
    (out) => {
      const rules = out.ReplicationConfiguration?.Rules ?? [];
      const rule = rules.find(
        (r) =>
          r.Status === 'Enabled' && r.Destination?.Bucket?.endsWith(`:::${expected.replicaBucket}`),
      );
      const key = rule?.Destination?.EncryptionConfiguration?.ReplicaKmsKeyID;
      return [
        judge(
          ...id,
          Boolean(rule && key),
          rule
            ? `${expected.backupBucket} → ${expected.replicaBucket}, rule ${rule.ID ?? '(no id)'} Enabled, ` +
                (key ? `replica key ${key}` : 'no replica KMS key; expected one')
            : `${expected.backupBucket}: no enabled rule to ${destination} (rules: ${rules.map((r) => `${r.ID ?? '?'} ${r.Status} → ${r.Destination?.Bucket}`).join(', ') || 'none'}); expected one with a KMS key`,
        ),
      ];
    },
  );
}
