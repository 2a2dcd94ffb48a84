import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { poolConfig } from '../shared/db';
import { requireEnv } from '../shared/env';
import { connector } from './connect';
import { exportDatabase } from './export';
import { manifestTotals } from './manifest';
import { kmsSigner } from './kms-signer';
import { preflight } from './preflight';
import { BACKUP_METRICS_NAMESPACE, BACKUP_SERVICE_NAME } from './telemetry';

const logger = new Logger({ serviceName: BACKUP_SERVICE_NAME });
const metrics = new Metrics({
  namespace: BACKUP_METRICS_NAMESPACE,
  serviceName: BACKUP_SERVICE_NAME,
});
const bucket = requireEnv(process.env, 'BACKUP_BUCKET');
const prefix = requireEnv(process.env, 'BACKUP_PREFIX');
const stage = requireEnv(process.env, 'STAGE');
const kmsKeyId = requireEnv(process.env, 'BACKUP_KEY_ARN');
const signer = kmsSigner(new KMSClient({}), requireEnv(process.env, 'BACKUP_SIGNING_KEY_ARN'));
const s3 = new S3Client({});

const connect = connector(poolConfig(process.env));

/**
 * The nightly export (BACKUP.md), invoked by EventBridge Scheduler; the manifest is
 * signed with the KMS HMAC key in `BACKUP_SIGNING_KEY_ARN`. Any failure
 * fails the invocation (Lambda retries it twice, then the dead-letter queue pages);
 * success publishes `BackupSucceeded`, bytes, rows and seconds.
 */
export async function handler(_event: unknown, context: Context): Promise<{ manifestKey: string }> {
  const started = Date.now();
  const { manifest, manifestKey } = await exportDatabase({
    connect,
    s3,
    bucket,
    prefix,
    stage,
    kmsKeyId,
    signer,
    // The vault is versioned: every object's version goes into the signed manifest.
    requireVersionIds: true,
    beforeExport: (databaseBytes) => {
      const remaining = context.getRemainingTimeInMillis() / 1000;
      const { estimatedSeconds } = preflight(databaseBytes, remaining);
      logger.info('Backup starting', { databaseBytes, estimatedSeconds });
    },
  });
  const { bytes, rows, tables } = manifestTotals(manifest);
  const seconds = (Date.now() - started) / 1000;
  metrics.addMetric('BackupSucceeded', MetricUnit.Count, 1);
  metrics.addMetric('BackupBytes', MetricUnit.Bytes, bytes);
  metrics.addMetric('BackupRows', MetricUnit.Count, rows);
  metrics.addMetric('BackupSeconds', MetricUnit.Seconds, seconds);
  metrics.publishStoredMetrics();
  logger.info('Backup written', {
    manifestKey,
    bytes,
    rows,
    seconds,
    tables,
  });
  return { manifestKey };
}
