/**
 * What `npm run dr:promote` reads before it changes anything: the cross-region replica
 * (DR region), the primary (its own region, which may be down), and the replica's
 * `ReplicaLag`. Every call here is a Describe or a Get.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type DBInstance, DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { type StageConfig, physicalNames } from '../../../lib/config';
import { replicaLag } from '../replica-lag';
import { errorEvidence } from '../verify/types';
import type { DrPromoteClients } from './clients';

/** Minutes of `ReplicaLag` the plan reads (one-minute maxima). */
export const LAG_WINDOW_MINUTES = 15;

/** The replica as the DR region describes it. */
export type ReplicaState =
  | { readonly kind: 'found'; readonly instance: DBInstance }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly error: string };

/** The primary as its region describes it, or why it could not. */
export type PrimaryState =
  | { readonly kind: 'found'; readonly instance: DBInstance }
  | { readonly kind: 'unreachable'; readonly error: string };

/** The replica's latest one-minute maximum of `ReplicaLag`. */
export type LagState =
  | { readonly kind: 'seen'; readonly seconds: number; readonly at: Date }
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly error: string };

/** Everything the plan and the decision to promote rest on. */
export interface FailoverState {
  readonly replicaId: string;
  readonly drRegion: string;
  readonly primaryId: string;
  readonly primaryRegion: string;
  /** `arn:<partition>:rds:<region>:<account>:db:<primary id>`: what the replica must replicate. */
  readonly primaryArn: string;
  readonly replica: ReplicaState;
  readonly primary: PrimaryState;
  readonly lag: LagState;
}

/** Reads the replica, the primary and the lag at once; never throws for an AWS error. */
export async function readFailoverState(
  clients: DrPromoteClients,
  cfg: StageConfig,
  now: Date,
): Promise<FailoverState> {
  const names = physicalNames(cfg);
  const replicaId = names.drReplicaInstance;
  const primaryId = names.databaseInstance;
  const [replica, primary, lag] = await Promise.all([
    describeReplica(clients.rds(cfg.drRegion), replicaId),
    describePrimary(clients.rds(cfg.region), primaryId),
    latestLag(clients.cloudWatch(cfg.drRegion), replicaId, now),
  ]);
  const arnOf = replica.kind === 'found' ? replica.instance.DBInstanceArn : undefined;
  const partition = arnOf?.split(':')[1] || 'aws';
  return {
    replicaId,
    drRegion: cfg.drRegion,
    primaryId,
    primaryRegion: cfg.region,
    primaryArn: `arn:${partition}:rds:${cfg.region}:${cfg.account}:db:${primaryId}`,
    replica,
    primary,
    lag,
  };
}

/** DescribeDBInstances of one instance; `undefined` when RDS says it does not exist. */
export async function describeInstance(
  rds: RDSClient,
  id: string,
): Promise<DBInstance | undefined> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return out.DBInstances?.[0];
  } catch (err) {
    if (err instanceof Error && err.name === 'DBInstanceNotFoundFault') return undefined;
    throw err;
  }
}

async function describeReplica(rds: RDSClient, id: string): Promise<ReplicaState> {
  try {
    const instance = await describeInstance(rds, id);
    return instance ? { kind: 'found', instance } : { kind: 'missing' };
  } catch (err) {
    return { kind: 'unreadable', error: errorEvidence(err) };
  }
}

async function describePrimary(rds: RDSClient, id: string): Promise<PrimaryState> {
  try {
    const instance = await describeInstance(rds, id);
    return instance
      ? { kind: 'found', instance }
      : { kind: 'unreachable', error: `DBInstanceNotFoundFault: DBInstance ${id} not found` };
  } catch (err) {
    return { kind: 'unreachable', error: errorEvidence(err) };
  }
}

/** The latest one-minute maximum of `AWS/RDS` `ReplicaLag` in the last {@link LAG_WINDOW_MINUTES}. */
async function latestLag(cloudWatch: CloudWatchClient, id: string, now: Date): Promise<LagState> {
  try {
    const [latest] = await replicaLag(cloudWatch, id, now, LAG_WINDOW_MINUTES);
    return latest ? { kind: 'seen', ...latest } : { kind: 'none' };
  } catch (err) {
    return { kind: 'unreadable', error: errorEvidence(err) };
  }
}
