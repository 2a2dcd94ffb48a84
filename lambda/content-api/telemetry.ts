/** CloudWatch namespace of the content API's own metrics (embedded metric format). */
export const METRICS_NAMESPACE = 'Bulwark/ContentApi';
/** Service name in logs and the `service` dimension of metrics. */
export const SERVICE_NAME = 'content-api';
/** Count of responses with a 5xx status. */
export const SERVER_ERRORS_METRIC = 'ServerErrors';

/** Service name of the outbox drainer, in logs and the `service` dimension. */
export const OUTBOX_SERVICE_NAME = 'invalidation-outbox';
/** Age of the oldest CDN invalidation not yet queued, in seconds. */
export const OUTBOX_AGE_METRIC = 'OutboxOldestAgeSeconds';
