/** CloudWatch namespace of the threat-response metrics. */
export const THREAT_METRICS_NAMESPACE = 'Bulwark/ThreatResponse';
/** Service name in logs and the `service` dimension of the metrics. */
export const THREAT_SERVICE_NAME = 'threat-response';
/**
 * Addresses of a finding beyond `threatResponse.maxAddressesPerFinding`, not blocked
 * (0 for a finding under the cap); an alarm pages when it is above 0.
 */
export const ADDRESSES_OVER_CAP_METRIC = 'AddressesOverCap';
