/**
 * `npm run backup -- --database-url <url> --bucket <name> [--prefix <p>] [--endpoint <s3-url>] [--stage <s>] [--signing-key <kms-key>] [--workers N]`
 *
 * Exports the content database into the backup bucket (BACKUP.md) and prints the
 * manifest key as the last line of stdout; progress goes to stderr. The manifest is
 * signed: with `--endpoint` by HMAC-SHA-256 with `BACKUP_SIGNING_KEY` (or the local
 * default key), otherwise in KMS with `--signing-key` or the stage's key alias (only
 * the backup function's role may sign there). Exit code 1 on any failure (no
 * manifest is written), 2 on bad arguments (`--help`) or when AWS credentials are
 * needed and missing.
 */
import { exportDatabase } from '../lambda/nightly-backup/export';
import { backupS3Client, backupSigner, connectTo, mb, progressPrinter } from './lib/backup-cli';
import { defineCommand, runMain } from './lib/cli';

/** `npm run backup`. */
export const command = defineCommand({
  name: 'backup',
  usage:
    '--database-url <url> --bucket <name> [--prefix <p>] [--endpoint <s3-url>] [--stage <s>] [--signing-key <kms-key>] [--workers N]',
  summary:
    'Exports the content database into the backup bucket and prints the manifest key as the last line of stdout.',
  description: `Progress goes to stderr. The manifest is signed: with --endpoint by HMAC-SHA-256 with
BACKUP_SIGNING_KEY (or the local default key), otherwise in KMS with --signing-key or the
stage's key alias.`,
  options: {
    'database-url': {
      type: 'string',
      value: 'url',
      env: 'DATABASE_URL',
      required: true,
      description: 'the content database',
    },
    bucket: { type: 'string', value: 'name', required: true, description: 'the backup bucket' },
    prefix: { type: 'string', value: 'p', description: 'key prefix (default: backups/<stage>)' },
    endpoint: {
      type: 'string',
      value: 's3-url',
      description: 'an S3-compatible server (path-style, local signing key)',
    },
    stage: { type: 'string', value: 's', default: 'local', description: 'the stage it belongs to' },
    'signing-key': {
      type: 'string',
      value: 'kms-key',
      description: "the KMS HMAC key (default: the stage's key alias)",
    },
    workers: {
      type: 'integer',
      description: 'tables and table ranges exported at once (default: one per CPU, 2 to 8)',
    },
  },
  exitCodes:
    '0 manifest written, 1 the backup failed (no manifest is written), 2 bad arguments, or AWS credentials needed and missing.',
  run: ({ values }) => backup(values),
});

async function backup(options: {
  readonly 'database-url': string;
  readonly bucket: string;
  readonly prefix?: string;
  readonly endpoint?: string;
  readonly stage: string;
  readonly 'signing-key'?: string;
  readonly workers?: number;
}): Promise<number> {
  const { 'database-url': databaseUrl, bucket, stage, endpoint } = options;
  const s3 = backupS3Client('backup', endpoint);
  let state = { tablesDone: 0, tables: 0, rows: 0, uncompressedBytes: 0, bytes: 0 };
  const progress = progressPrinter(
    (s) =>
      `backup: ${state.tablesDone}/${state.tables} tables, ${state.rows} rows, ${mb(state.uncompressedBytes)} MB read, ${mb(state.bytes)} MB stored, ${(state.uncompressedBytes / 1024 / 1024 / Math.max(s, 0.001)).toFixed(1)} MB/s`,
  );
  const started = process.hrtime.bigint();
  try {
    const { manifestKey, workers } = await exportDatabase({
      connect: connectTo(databaseUrl),
      s3,
      bucket,
      prefix: options.prefix ?? `backups/${stage}`,
      stage,
      signer: backupSigner(endpoint, stage, options['signing-key']),
      // Without --endpoint the bucket is the versioned vault.
      requireVersionIds: !endpoint,
      ...(options.workers !== undefined && { parallelism: options.workers }),
      onProgress: (p) => {
        state = { ...p };
        progress.tick();
      },
    });
    progress.done();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.error(
      `backup: manifest written in ${seconds.toFixed(2)} s with ${workers} worker${workers === 1 ? '' : 's'}`,
    );
    console.log(manifestKey);
    return 0;
  } catch (err) {
    console.error(`backup failed, no manifest written: ${(err as Error).message}`);
    return 1;
  } finally {
    s3.destroy();
  }
}

runMain(command, module);
