import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { REPLICA_LAG_ALARM_SECONDS } from '../../../lib/constructs/cross-region-replica';
import { replicaLag } from '../replica-lag';
import { type CheckId, type CheckResult, judge, observed, skip } from './types';

const REPLICATES: CheckId = ['DR-REPL', 'cross-region read replica replicates the primary'];
const LAG: CheckId = ['DR-REPL', 'cross-region replica lag within the alarm threshold'];

/** Minutes of `ReplicaLag` the lag check reads (one-minute maxima). */
export const LAG_CHECK_MINUTES = 10;

/** What the cross-region replica must be (`database.crossRegionReplica`). */
export interface DrReplicaExpectation {
  /** `database.crossRegionReplica` of the stage: without it, both checks are SKIP. */
  readonly enabled: boolean;
  readonly stageName: string;
  /** `physicalNames(cfg).drReplicaInstance`. */
  readonly replicaId: string;
  /** `drRegion` of the stage, where the replica and its key live. */
  readonly drRegion: string;
  /** The primary it must replicate: `physicalNames(cfg).databaseInstance`, its region and account. */
  readonly primary: { readonly id: string; readonly region: string; readonly account: string };
}

/**
 * DR-REPL, in the DR region: the cross-region read replica (DescribeDBInstances) is
 * available, encrypted with a KMS key of the DR region and replicates the primary's ARN;
 * its `ReplicaLag` (GetMetricStatistics, one-minute maxima of the last
 * {@link LAG_CHECK_MINUTES} minutes) stays within {@link REPLICA_LAG_ALARM_SECONDS}, and
 * no datapoint at all fails. With `database.crossRegionReplica` off, both are SKIP.
 */
export async function checkDrReplica(
  rds: RDSClient,
  cloudWatch: CloudWatchClient,
  e: DrReplicaExpectation,
  now: Date = new Date(),
): Promise<CheckResult[]> {
  if (!e.enabled) {
    const reason = `database.crossRegionReplica is off for stage ${e.stageName}: ${e.drRegion} holds the replicated backups only`;
    return [skip(...REPLICATES, reason), skip(...LAG, reason)];
  }
  const id = e.replicaId;
  const [replica, lag] = await Promise.all([
    observed(
      [REPLICATES],
      () => rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
      (out) => {
        const db = out.DBInstances?.[0];
        const partition = db?.DBInstanceArn?.split(':')[1] || 'aws';
        const { id: primaryId, region, account } = e.primary;
        const source = `arn:${partition}:rds:${region}:${account}:db:${primaryId}`;
        const keyRegion = db?.KmsKeyId?.startsWith('arn:') ? db.KmsKeyId.split(':')[3] : undefined;
        const problems = [
          db?.DBInstanceStatus !== 'available' &&
            `DBInstanceStatus ${db?.DBInstanceStatus ?? 'absent'}`,
          db?.StorageEncrypted !== true && `StorageEncrypted ${db?.StorageEncrypted ?? 'absent'}`,
          !db?.KmsKeyId
            ? 'KmsKeyId none'
            : keyRegion !== e.drRegion && `KmsKeyId ${db.KmsKeyId} is not a key of ${e.drRegion}`,
          db?.ReadReplicaSourceDBInstanceIdentifier !== source &&
            `ReadReplicaSourceDBInstanceIdentifier ${db?.ReadReplicaSourceDBInstanceIdentifier ?? 'none'}`,
        ].filter((p): p is string => typeof p === 'string');
        return [
          judge(
            ...REPLICATES,
            problems.length === 0,
            problems.length === 0
              ? `${id} (${e.drRegion}): available, encrypted with ${db!.KmsKeyId}, replicating ${source}`
              : `${id} (${e.drRegion}): ${problems.join('; ')}; expected available, encrypted with a KMS key of ${e.drRegion}, replicating ${source}`,
          ),
        ];
      },
    ),
    observed(
      [LAG],
      () => replicaLag(cloudWatch, id, now, LAG_CHECK_MINUTES),
      (points) => {
        const maxima = points.map((p) => p.seconds);
        const expected = `expected ≤ ${REPLICA_LAG_ALARM_SECONDS} s`;
        if (maxima.length === 0) {
          return [
            judge(
              ...LAG,
              false,
              `${id} (${e.drRegion}): no ReplicaLag datapoints in the last ${LAG_CHECK_MINUTES} minutes, so replication cannot be shown; ${expected}`,
            ),
          ];
        }
        const worst = Math.max(...maxima);
        return [
          judge(
            ...LAG,
            worst <= REPLICA_LAG_ALARM_SECONDS,
            `${id} (${e.drRegion}): ReplicaLag at most ${worst} s over the last ${LAG_CHECK_MINUTES} minutes (${maxima.length} datapoint${maxima.length === 1 ? '' : 's'}); ${expected}`,
          ),
        ];
      },
    ),
  ]);
  return [...replica, ...lag];
}
