/**
 * The Session Manager preferences of a break-glass session (an `AWS::SSM::Document`
 * of type `Session`, schema 1.0): where every session's commands and output are
 * recorded, with which keys, for how long a session may run, and the shell profile
 * that tells the operator how to reach the database. The construct writes it and
 * `npm run verify` reads the deployed one against {@link SESSION_LIMITS}.
 */

/** Tag every break-glass access instance carries (value: the stage name). */
export const BREAK_GLASS_TAG = 'bulwark:break-glass';

/** Session tag of the break-glass role that carries the operator's reason (a ticket). */
export const REASON_TAG = 'bulwark:reason';

/** Limits of a break-glass session, in minutes. */
export const SESSION_LIMITS = {
  /** The longest session Session Manager keeps open (`maxSessionDuration`). */
  maxSessionMinutes: 60,
  /** A session without input for this long is ended (`idleSessionTimeout`). */
  idleSessionMinutes: 15,
} as const;

/** Key prefix (no trailing slash) of a stage's session logs in the session log bucket. */
export const sessionLogPrefix = (stage: string) => `break-glass/${stage}`;

/** Where a session is recorded and how it reaches the database. */
export interface SessionDocumentSettings {
  /** Bucket receiving each session's transcript when it ends. */
  readonly bucketName: string;
  /** Key prefix of the transcripts. */
  readonly keyPrefix: string;
  /** Log group receiving the session as it happens. */
  readonly logGroupName: string;
  /** Id or ARN of the customer key that encrypts the session channel. */
  readonly sessionKeyId: string;
  /** Endpoint of the RDS Proxy. */
  readonly proxyEndpoint: string;
  /** Database port. */
  readonly port: number;
  /** Database name. */
  readonly database: string;
  /** Database user of operators. */
  readonly user: string;
  /** Region of the proxy (for the IAM token). */
  readonly region: string;
}

/**
 * The shell profile every session starts with: the database's connection settings
 * as libpq variables (TLS with full verification against the system trust store,
 * which holds the Amazon roots that the proxy's certificate chains to) and the one
 * command that connects with a fresh IAM token.
 */
export function operatorShellProfile(s: SessionDocumentSettings): string {
  return [
    `export AWS_REGION=${s.region} PGHOST=${s.proxyEndpoint} PGPORT=${s.port} PGDATABASE=${s.database} PGUSER=${s.user} PGSSLMODE=verify-full PGSSLROOTCERT=system`,
    'alias bulwark-psql=\'PGPASSWORD="$(aws rds generate-db-auth-token --hostname "$PGHOST" --port "$PGPORT" --username "$PGUSER" --region "$AWS_REGION")" psql\'',
    'echo "Bulwark break-glass session: every command and its output is recorded (CloudWatch Logs and S3), every SQL statement by pgaudit."',
    `echo "Connect to the database as ${s.user} with: bulwark-psql   (an IAM token valid for 15 minutes; TLS verify-full through the proxy)"`,
    `echo "This instance shuts itself down within ${SESSION_LIMITS.maxSessionMinutes} minutes of starting."`,
  ].join('\n');
}

/** The document's content (`AWS::SSM::Document` `Content`). */
export function sessionDocumentContent(s: SessionDocumentSettings) {
  return {
    schemaVersion: '1.0',
    description: 'Bulwark break-glass session: recorded to CloudWatch Logs and S3, encrypted',
    sessionType: 'Standard_Stream',
    inputs: {
      s3BucketName: s.bucketName,
      s3KeyPrefix: s.keyPrefix,
      s3EncryptionEnabled: true,
      cloudWatchLogGroupName: s.logGroupName,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      kmsKeyId: s.sessionKeyId,
      runAsEnabled: false,
      idleSessionTimeout: String(SESSION_LIMITS.idleSessionMinutes),
      maxSessionDuration: String(SESSION_LIMITS.maxSessionMinutes),
      shellProfile: { linux: operatorShellProfile(s), windows: '' },
    },
  };
}
