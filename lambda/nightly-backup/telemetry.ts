/** CloudWatch namespace of the backup metrics; `BackupSucceeded` feeds the freshness alarm. */
export const BACKUP_METRICS_NAMESPACE = 'Bulwark/Backup';
/** Service name in logs and the `service` dimension of the metrics. */
export const BACKUP_SERVICE_NAME = 'nightly-backup';
