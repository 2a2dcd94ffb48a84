import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import { toAlbResult, toApiRequest } from './alb';
import { createRuntime } from './runtime';
import { METRICS_NAMESPACE, SERVER_ERRORS_METRIC, SERVICE_NAME } from './telemetry';

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const runtime = createRuntime(process.env, {
  error: (message, detail) => logger.error(message, detail),
  info: (message, detail) => logger.info(message, detail),
});

/**
 * ALB target: the content API. Writes one line per request: the embedded-metric
 * document that counts the response by class (a 500 is an answered request, not a
 * failed invocation, so `ServerErrors` is what the 5xx alarm watches) and carries
 * the request's method, path, status, request id and trace id as metadata (never its
 * headers, so never a key). One line rather than a log line and a metric line halves
 * the per-request logging cost and the log volume (see `npm run bench:api`).
 */
export async function handler(event: ALBEvent, context: Context): Promise<ALBResult> {
  logger.addContext(context);
  const request = toApiRequest(event);
  const response = await runtime.handle(request);
  const outcome =
    response.status >= 500
      ? SERVER_ERRORS_METRIC
      : response.status >= 400
        ? 'ClientErrors'
        : 'Successes';
  metrics.addMetric(outcome, MetricUnit.Count, 1);
  metrics.addMetadata('method', request.method);
  metrics.addMetadata('path', request.path);
  metrics.addMetadata('status', String(response.status));
  metrics.addMetadata('requestId', context.awsRequestId);
  const trace = process.env._X_AMZN_TRACE_ID;
  if (trace) metrics.addMetadata('xrayTraceId', trace);
  metrics.publishStoredMetrics();
  return toAlbResult(response);
}
