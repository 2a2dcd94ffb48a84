/**
 * Commercial AWS regions Bulwark may deploy to (PHY-DC).
 *
 * Every region here runs in AWS data centres covered by AWS's ISO/IEC 27001
 * certification. GovCloud, China and sovereign partitions are excluded: they need
 * separate accounts, partitions and review, and are not offered by this app.
 */
export const ALLOWED_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'ca-west-1',
  'mx-central-1',
  'sa-east-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
] as const;

export type AllowedRegion = (typeof ALLOWED_REGIONS)[number];

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Region of everything CloudFront needs or publishes: certificates, web ACL, logs, metrics. */
export const CLOUDFRONT_REGION = 'us-east-1';
