/** CloudWatch namespace of the content API's own metrics (embedded metric format). */
export const METRICS_NAMESPACE = 'Bulwark/ContentApi';
/** Service name in logs and the `service` dimension of metrics. */
export const SERVICE_NAME = 'content-api';
/** Count of responses with a 5xx status. */
export const SERVER_ERRORS_METRIC = 'ServerErrors';
