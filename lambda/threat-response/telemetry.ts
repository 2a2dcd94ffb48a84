/** CloudWatch namespace of the threat-response metrics. */
export const THREAT_METRICS_NAMESPACE = 'Bulwark/ThreatResponse';
/** Service name in logs and the `service` dimension of the metrics. */
export const THREAT_SERVICE_NAME = 'threat-response';
