import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { publishAlert } from './adapters/alerts';
import { DynamoBlockTable } from './adapters/block-table';
import { regionalClients } from './adapters/clients';
import { WafIpSets } from './adapters/waf-ip-sets';
import { AddressPolicy } from './domain/addresses';
import { blockAlert } from './domain/alert-message';
import { systemClock } from './domain/ports';
import { type Decision, respondToFinding } from './domain/respond';
import { type SweepResult, sweepExpiredBlocks } from './domain/sweep';
import { readSettings } from './settings';
import {
  ADDRESSES_OVER_CAP_METRIC,
  THREAT_METRICS_NAMESPACE,
  THREAT_SERVICE_NAME,
} from './telemetry';

const logger = new Logger({ serviceName: THREAT_SERVICE_NAME });
const metrics = new Metrics({
  namespace: THREAT_METRICS_NAMESPACE,
  serviceName: THREAT_SERVICE_NAME,
});
const settings = readSettings(process.env);
const sets = new WafIpSets(settings.blocklists, regionalClients());
const table = new DynamoBlockTable(
  DynamoDBDocumentClient.from(new DynamoDBClient({})),
  settings.tableName,
);
const sns = new SNSClient({});
const clock = systemClock;
const addresses = new AddressPolicy(settings.trustedCidrs);

/** The scheduled sweep's input (`{"action": "sweep"}`). */
const isSweep = (event: unknown) => (event as { action?: unknown })?.action === 'sweep';

/**
 * GuardDuty findings (EventBridge, asynchronous) → blocks in both web ACLs; the
 * hourly schedule → sweep of expired blocks. Failures are rethrown: Lambda retries
 * twice, then the event goes to the dead-letter queue, which pages on-call.
 */
export async function handler(event: unknown): Promise<Decision | SweepResult> {
  try {
    if (isSweep(event)) {
      const result = await sweepExpiredBlocks({ sets, table, clock, capacity: settings.capacity });
      metrics.addMetric('BlocksExpired', MetricUnit.Count, result.expired.length);
      logger.info('Sweep done', { ...result });
      return result;
    }
    const decision = await respondToFinding(
      {
        addresses,
        policy: settings.policy,
        capacity: settings.capacity,
        maxAddressesPerFinding: settings.maxAddressesPerFinding,
        sets,
        table,
        clock,
      },
      event,
    );
    const fresh = decision.blocked.filter((b) => b.newlyBlocked).length;
    metrics.addMetric('AddressesBlocked', MetricUnit.Count, fresh);
    metrics.addMetric('BlocksExtended', MetricUnit.Count, decision.blocked.length - fresh);
    metrics.addMetric('AddressesSkipped', MetricUnit.Count, decision.skipped.length);
    metrics.addMetric('BlocksEvicted', MetricUnit.Count, decision.evicted.length);
    metrics.addMetric('BlocksDropped', MetricUnit.Count, decision.dropped.length);
    metrics.addMetric(ADDRESSES_OVER_CAP_METRIC, MetricUnit.Count, decision.beyondCap.length);
    logger.info('Finding handled', { ...decision });
    const alert = blockAlert(settings.stage, decision);
    if (alert) await publishAlert(sns, settings.alertTopicArn, alert);
    return decision;
  } finally {
    metrics.publishStoredMetrics();
  }
}
