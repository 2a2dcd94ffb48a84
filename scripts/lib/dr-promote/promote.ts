/**
 * The writes of `npm run dr:promote`, once the plan allowed them and the operator
 * confirmed: PromoteReadReplica, the wait until the instance is a standalone primary,
 * and ModifyDBInstance for Multi-AZ and deletion protection.
 */
import {
  type DBInstance,
  ModifyDBInstanceCommand,
  PromoteReadReplicaCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { failed } from '../cli';
import { errorEvidence } from '../verify/types';
import type { PromotionSettings } from './plan';
import { describeInstance } from './state';

/** How the promotion waits (tests pass a clock that advances only when it sleeps). */
export interface WaitOptions {
  /** @default 30 s */
  readonly pollIntervalMs?: number;
  /** Waits `ms` milliseconds. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The time, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The promotion's target and what to set on it. */
export interface Promotion {
  readonly replicaId: string;
  readonly drRegion: string;
  readonly settings: PromotionSettings;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the instance is done: available and no longer replicating anything. */
const promoted = (db: DBInstance | undefined) =>
  db?.DBInstanceStatus === 'available' && !db.ReadReplicaSourceDBInstanceIdentifier;

/**
 * Promotes the replica, waits until it is a standalone primary, then turns on Multi-AZ
 * (as configured) and deletion protection. Returns the promoted instance as last
 * described. Throws a `CliError` (exit 1) naming what to check when a call fails or the
 * wait times out; the promotion itself continues in AWS once requested.
 */
export async function promoteReplica(
  rds: RDSClient,
  target: Promotion,
  say: (text: string) => void,
  options: WaitOptions = {},
): Promise<DBInstance> {
  const { replicaId: id, drRegion: region, settings: p } = target;
  const check = `aws rds describe-db-instances --region ${region} --db-instance-identifier ${id} --query "DBInstances[0].[DBInstanceStatus,ReadReplicaSourceDBInstanceIdentifier]"`;
  const modify = `aws rds modify-db-instance --region ${region} --db-instance-identifier ${id} ${p.multiAz ? '--multi-az' : '--no-multi-az'} --deletion-protection --apply-immediately`;

  try {
    await rds.send(
      new PromoteReadReplicaCommand({
        DBInstanceIdentifier: id,
        BackupRetentionPeriod: p.backupRetentionDays,
        PreferredBackupWindow: p.preferredBackupWindow,
      }),
    );
  } catch (err) {
    throw failed(`PromoteReadReplica of ${id} in ${region} failed: ${errorEvidence(err)}`);
  }
  say(`PromoteReadReplica ${id} requested; waiting until it is a standalone primary...`);

  const instance = await waitUntilPromoted(rds, target, say, options, check, modify);

  try {
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: id,
        MultiAZ: p.multiAz,
        DeletionProtection: true,
        ApplyImmediately: true,
      }),
    );
  } catch (err) {
    throw failed(
      `${id} is promoted, but ModifyDBInstance failed: ${errorEvidence(err)}.\n` +
        `Set Multi-AZ and deletion protection yourself: ${modify}`,
    );
  }
  say(`ModifyDBInstance ${id}: MultiAZ ${p.multiAz}, DeletionProtection true, applied immediately`);
  return instance;
}

async function waitUntilPromoted(
  rds: RDSClient,
  { replicaId: id, settings: p }: Promotion,
  say: (text: string) => void,
  { pollIntervalMs = 30_000, sleep = timer, now = Date.now }: WaitOptions,
  check: string,
  modify: string,
): Promise<DBInstance> {
  const timeoutMs = p.timeoutMinutes * 60_000;
  const start = now();
  let last = 'not described yet';
  for (;;) {
    const waited = now() - start;
    if (waited >= timeoutMs) break;
    await sleep(Math.min(pollIntervalMs, timeoutMs - waited));
    let db: DBInstance | undefined;
    try {
      db = await describeInstance(rds, id);
    } catch (err) {
      // The promotion goes on in AWS; one refused or throttled Describe ends nothing.
      last = `DescribeDBInstances failed: ${errorEvidence(err)}`;
      say(`  ${last}; trying again`);
      continue;
    }
    if (promoted(db)) return db!;
    const status = db?.DBInstanceStatus ?? 'not found';
    const next = `status ${status}${db?.ReadReplicaSourceDBInstanceIdentifier ? ', still a read replica' : ''}`;
    if (next !== last) say(`  ${id}: ${next}`);
    last = next;
  }
  throw failed(
    `${id} is not promoted after ${p.timeoutMinutes} minutes (${last}): the promotion is still in progress in AWS.\n` +
      `Check it with: ${check}\n` +
      `Once it is available and no longer a replica, finish with: ${modify}`,
  );
}
