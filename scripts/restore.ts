/**
 * `npm run restore -- --bucket <name> --manifest <key> --database-url <url> [--endpoint <s3-url>] [--signing-key <kms-key>] [--allow-unsigned]`
 *
 * Restores a backup into an empty database (BACKUP.md), verifying the manifest's
 * signature (with `--endpoint` against `BACKUP_SIGNING_KEY` or the local default key;
 * otherwise with KMS VerifyMac against `--signing-key` or the manifest's stage's key
 * alias), that every object lies in the run's folder and is the recorded version,
 * every object's SHA-256 and every table's row count. `--allow-unsigned` restores a
 * manifest written before backups were signed, with a warning on stderr. Exit code
 * 1, naming the problem, on any refusal or mismatch or a non-empty target (which is
 * left as it was); 2 on bad arguments (`--help`) or when AWS credentials are needed
 * and missing.
 */
import { RestoreError, restoreBackup } from '../lambda/nightly-backup/restore';
import { backupS3Client, connectTo, mb, progressPrinter, restoreVerifier } from './lib/backup-cli';
import { defineCommand, runMain } from './lib/cli';

/** `npm run restore`. */
export const command = defineCommand({
  name: 'restore',
  usage:
    '--bucket <name> --manifest <key> --database-url <url> [--endpoint <s3-url>] [--signing-key <kms-key>] [--allow-unsigned]',
  summary: 'Restores a backup into an empty database, verifying it first.',
  description: `It verifies the manifest's signature (with --endpoint against BACKUP_SIGNING_KEY or the
local default key; otherwise with KMS VerifyMac against --signing-key or the manifest's
stage's key alias), that every object lies in the run's folder and is the recorded
version, every object's SHA-256 and every table's row count.`,
  options: {
    bucket: { type: 'string', value: 'name', required: true, description: 'the backup bucket' },
    manifest: { type: 'string', value: 'key', required: true, description: "the manifest's key" },
    'database-url': {
      type: 'string',
      value: 'url',
      env: 'DATABASE_URL',
      required: true,
      description: 'the empty target database',
    },
    endpoint: {
      type: 'string',
      value: 's3-url',
      description: 'an S3-compatible server (path-style, local signing key)',
    },
    'signing-key': {
      type: 'string',
      value: 'kms-key',
      description: "the KMS HMAC key (default: the manifest's stage's key alias)",
    },
    'allow-unsigned': {
      type: 'boolean',
      description: 'restore a manifest written before backups were signed, with a warning',
    },
  },
  exitCodes:
    '0 restored, 1 a refusal or mismatch or a non-empty target (left as it was), 2 bad arguments, or AWS credentials needed and missing.',
  run: ({ values }) => restore(values),
});

async function restore(options: {
  readonly bucket: string;
  readonly manifest: string;
  readonly 'database-url': string;
  readonly endpoint?: string;
  readonly 'signing-key'?: string;
  readonly 'allow-unsigned': boolean;
}): Promise<number> {
  const { bucket, manifest: manifestKey, 'database-url': databaseUrl, endpoint } = options;
  const s3 = backupS3Client('restore', endpoint);
  let state = { table: '-', tablesDone: 0, tables: 0, rows: 0, bytes: 0 };
  const progress = progressPrinter(
    (s) =>
      `restore: ${state.tablesDone}/${state.tables} tables, ${state.table}: ${state.rows} rows, ${mb(state.bytes)} MB, ${(state.bytes / 1024 / 1024 / Math.max(s, 0.001)).toFixed(1)} MB/s`,
  );
  try {
    const manifest = await restoreBackup({
      s3,
      bucket,
      manifestKey,
      connect: connectTo(databaseUrl),
      verifier: restoreVerifier(endpoint, options['signing-key']),
      allowUnsigned: options['allow-unsigned'],
      // Without --endpoint the bucket is the versioned vault.
      requireVersionIds: !endpoint,
      onWarning: (message) => console.error(`restore: WARNING: ${message}`),
      onProgress: (p) => {
        state = { ...p };
        progress.tick();
      },
    });
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    const checked = manifest.signature
      ? `signature (${manifest.signature.keyId}), every checksum and row count matched`
      : 'every checksum and row count matched; the manifest was UNSIGNED (not verified)';
    console.error(
      `restore: ${manifest.tables.length} tables, ${rows} rows restored at schema ${manifest.schemaVersion}; ${checked}`,
    );
    return 0;
  } catch (err) {
    const message = err instanceof RestoreError ? err.message : (err as Error).message;
    console.error(`restore failed, the target database is unchanged: ${message}`);
    return 1;
  } finally {
    s3.destroy();
  }
}

runMain(command, module);
