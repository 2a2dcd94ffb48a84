/**
 * The plan `npm run dr:promote` prints before it changes anything, and whether the
 * promotion can proceed: the replica exists in the DR region, replicates this stage's
 * primary, and is `available`.
 */
import type { StageConfig } from '../../../lib/config';
import {
  REPLICA_LAG_ALARM_MINUTES,
  REPLICA_LAG_ALARM_SECONDS,
} from '../../../lib/constructs/cross-region-replica';
import { PREFERRED_BACKUP_WINDOW } from '../../../lib/constructs/database';
import { type FailoverState, LAG_WINDOW_MINUTES, type LagState } from './state';

/** The backup window of the promoted instance: the primary's. */
export const PROMOTED_BACKUP_WINDOW = PREFERRED_BACKUP_WINDOW;

/** What the promotion changes, from the stage's config. */
export interface PromotionSettings {
  /** `backupRetentionDays` of the stage: automated backups of the promoted instance. */
  readonly backupRetentionDays: number;
  readonly preferredBackupWindow: string;
  /** `database.multiAz` of the stage. */
  readonly multiAz: boolean;
  /** Minutes to wait for the promotion before giving up waiting. */
  readonly timeoutMinutes: number;
}

/** The settings of the promotion of `cfg`'s replica. */
export const promotionSettings = (cfg: StageConfig, timeoutMinutes: number): PromotionSettings => ({
  backupRetentionDays: cfg.backupRetentionDays,
  preferredBackupWindow: PROMOTED_BACKUP_WINDOW,
  multiAz: cfg.database.multiAz,
  timeoutMinutes,
});

/** Why the replica cannot be promoted now; empty when it can. */
export function promotionBlockers(s: FailoverState): string[] {
  const where = `${s.replicaId} (${s.drRegion})`;
  if (s.replica.kind === 'unreadable') {
    return [`cannot describe the replica ${where}: ${s.replica.error}`];
  }
  if (s.replica.kind === 'missing') {
    return [`the replica ${where} does not exist (DBInstanceNotFoundFault)`];
  }
  const db = s.replica.instance;
  const source = db.ReadReplicaSourceDBInstanceIdentifier;
  const blockers: string[] = [];
  if (!source) {
    blockers.push(
      `${where} is not a read replica (no ReadReplicaSourceDBInstanceIdentifier): it is a standalone instance, perhaps promoted already`,
    );
  } else if (source !== s.primaryArn) {
    blockers.push(`${where} replicates ${source}, not this stage's primary ${s.primaryArn}`);
  }
  if (db.DBInstanceStatus !== 'available') {
    blockers.push(
      `${where} is ${db.DBInstanceStatus ?? 'of unknown status'}; promotion needs it available`,
    );
  }
  return blockers;
}

/** What the latest lag means for a promotion now. */
export function lagMeaning(lag: LagState): string {
  switch (lag.kind) {
    case 'seen': {
      const s = Math.round(lag.seconds);
      const threshold =
        lag.seconds <= REPLICA_LAG_ALARM_SECONDS
          ? `within the ${REPLICA_LAG_ALARM_SECONDS} s alarm threshold`
          : `ABOVE the ${REPLICA_LAG_ALARM_SECONDS} s alarm threshold (on-call is paged after ${REPLICA_LAG_ALARM_MINUTES} minutes above it)`;
      return `${s} s at ${lag.at.toISOString()}: writes of the last ~${s} seconds on the primary would be lost; ${threshold}`;
    }
    case 'none':
      return `no datapoint in the last ${LAG_WINDOW_MINUTES} minutes: the replica may have stopped receiving from the primary, so the writes that would be lost are unknown`;
    case 'unreadable':
      return `unreadable (${lag.error}): the writes that would be lost are unknown`;
  }
}

/** The plan: the replica, the primary, the lag and each step the promotion takes. */
export function formatPlan(cfg: StageConfig, s: FailoverState, p: PromotionSettings): string {
  const replica =
    s.replica.kind === 'found'
      ? (() => {
          const db = s.replica.instance;
          return [
            `  status       ${db.DBInstanceStatus ?? 'unknown'}`,
            `  class        ${db.DBInstanceClass ?? 'unknown'}`,
            `  encryption   ${db.StorageEncrypted ? `KMS key ${db.KmsKeyId ?? 'unknown'}` : 'NOT encrypted'}`,
            `  source       ${db.ReadReplicaSourceDBInstanceIdentifier ?? 'none (not a read replica)'}`,
          ];
        })()
      : [
          s.replica.kind === 'missing'
            ? '  does not exist (DBInstanceNotFoundFault)'
            : `  unreadable: ${s.replica.error}`,
        ];
  const primary =
    s.primary.kind === 'found'
      ? (s.primary.instance.DBInstanceStatus ?? 'unknown')
      : `primary unreachable: ${s.primary.error}`;
  return [
    `Regional failover of stage ${cfg.name} (account ${cfg.account}): promote the cross-region replica in ${s.drRegion}.`,
    '',
    `Replica ${s.replicaId} in ${s.drRegion}`,
    ...replica,
    `Primary ${s.primaryId} in ${s.primaryRegion}: ${primary}`,
    `Replica lag (ReplicaLag, maximum per minute): ${lagMeaning(s.lag)}`,
    '',
    'Steps of the promotion:',
    `  1. PromoteReadReplica ${s.replicaId} in ${s.drRegion} with BackupRetentionPeriod ${p.backupRetentionDays} and PreferredBackupWindow ${p.preferredBackupWindow}`,
    `  2. wait until ${s.replicaId} is available and no longer a read replica (up to ${p.timeoutMinutes} minutes)`,
    `  3. ModifyDBInstance ${s.replicaId} with MultiAZ ${p.multiAz}, DeletionProtection true, ApplyImmediately`,
    `A promotion cannot be undone: ${s.replicaId} stops replicating ${s.primaryId} and becomes a standalone primary.`,
  ].join('\n');
}
