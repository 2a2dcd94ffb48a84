import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { type CheckId, type CheckResult, judge, observed } from './types';

/** What the primary database instance must be (Data stack, `Database` construct). */
export interface DatabaseExpectation {
  /** `physicalNames(cfg).databaseInstance`. */
  readonly instanceId: string;
  /** `backupRetentionDays` of the stage. */
  readonly backupRetentionDays: number;
  /** `database.multiAz` of the stage. */
  readonly multiAz: boolean;
  /** `database.readReplicas` of the stage. */
  readonly readReplicas: number;
}

const ENCRYPTED: CheckId = ['ENC-REST', 'database storage is encrypted with a KMS key'];
const BACKUPS: CheckId = ['BKP-DB', 'database keeps automated backups as configured'];
const DELETION: CheckId = ['BKP-DB', 'database has deletion protection'];
const MULTI_AZ: CheckId = ['DR-REPL', 'database Multi-AZ as configured'];
const REPLICAS: CheckId = ['DR-REPL', 'database read replicas as configured'];

/**
 * The primary RDS instance (DescribeDBInstances): encrypted with a KMS key (ENC-REST),
 * automated backups kept the configured days and deletion protection (BKP-DB),
 * Multi-AZ and the number of read replicas in its region as configured (DR-REPL).
 */
export async function checkDatabase(
  client: RDSClient,
  expected: DatabaseExpectation,
): Promise<CheckResult[]> {
  const id = expected.instanceId;
  return observed(
    [ENCRYPTED, BACKUPS, DELETION, MULTI_AZ, REPLICAS],
    () => client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
    (out) => {
      const db = out.DBInstances?.[0];
      // RDS lists a replica in another region by its ARN: the cross-region replica, which
      // the DR-REPL checks of dr-replica.ts judge. `readReplicas` counts the others.
      const listed = db?.ReadReplicaDBInstanceIdentifiers ?? [];
      const replicas = listed.filter((r) => !r.startsWith('arn:'));
      const elsewhere = listed.filter((r) => r.startsWith('arn:'));
      return [
        judge(
          ...ENCRYPTED,
          db?.StorageEncrypted === true && Boolean(db.KmsKeyId),
          `${id}: StorageEncrypted ${db?.StorageEncrypted ?? 'absent'}, KmsKeyId ${db?.KmsKeyId ?? 'none'}; expected encrypted with a KMS key`,
        ),
        judge(
          ...BACKUPS,
          db?.BackupRetentionPeriod === expected.backupRetentionDays,
          `${id}: BackupRetentionPeriod ${db?.BackupRetentionPeriod ?? 'absent'} days; expected ${expected.backupRetentionDays}`,
        ),
        judge(
          ...DELETION,
          db?.DeletionProtection === true,
          `${id}: DeletionProtection ${db?.DeletionProtection ?? 'absent'}; expected true`,
        ),
        judge(
          ...MULTI_AZ,
          db?.MultiAZ === expected.multiAz,
          `${id}: MultiAZ ${db?.MultiAZ ?? 'absent'}; expected ${expected.multiAz}`,
        ),
        judge(
          ...REPLICAS,
          replicas.length === expected.readReplicas,
          `${id}: ${replicas.length} read replica${replicas.length === 1 ? '' : 's'}${replicas.length > 0 ? ` (${replicas.join(', ')})` : ''}${elsewhere.length > 0 ? `, plus cross-region ${elsewhere.join(', ')}` : ''}; expected ${expected.readReplicas}`,
        ),
      ];
    },
  );
}
