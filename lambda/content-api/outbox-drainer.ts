import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Pool } from 'pg';
import { poolConfig } from '../shared/db';
import { requireEnv } from '../shared/env';
import { SqsInvalidator } from './adapters/invalidators';
import { type DrainResult, drainOutbox } from './adapters/pg-outbox';
import { METRICS_NAMESPACE, OUTBOX_AGE_METRIC, OUTBOX_SERVICE_NAME } from './telemetry';

const logger = new Logger({ serviceName: OUTBOX_SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: OUTBOX_SERVICE_NAME });
const pool = new Pool(poolConfig(process.env));
pool.on('error', (err) => logger.info('Idle database connection closed', { error: err.message }));
const invalidator = new SqsInvalidator(requireEnv(process.env, 'INVALIDATION_QUEUE_URL'));

/**
 * Runs every minute (EventBridge): queues the CDN invalidations that writes left in
 * the outbox because the queue did not answer in time, and reports the age of the
 * oldest one left, which an alarm watches (a stuck outbox, or a drainer that does
 * not run, pages on-call).
 */
export async function handler(): Promise<DrainResult> {
  const result = await drainOutbox(pool, invalidator, { now: () => new Date() });
  metrics.addMetric(OUTBOX_AGE_METRIC, MetricUnit.Seconds, result.oldestAgeSeconds);
  metrics.addMetric('OutboxPending', MetricUnit.Count, result.pending);
  metrics.addMetric('OutboxSent', MetricUnit.Count, result.sent);
  metrics.addMetric('OutboxSendFailures', MetricUnit.Count, result.failed);
  metrics.publishStoredMetrics();
  (result.failed ? logger.warn : logger.info).call(logger, 'Outbox drained', { ...result });
  return result;
}
