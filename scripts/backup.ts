/**
 * `npm run backup -- --database-url <url> --bucket <name> [--prefix <p>] [--endpoint <s3-url>] [--stage <s>] [--signing-key <kms-key>]`
 *
 * Exports the content database into the backup bucket (BACKUP.md) and prints the
 * manifest key as the last line of stdout; progress goes to stderr. The manifest is
 * signed: with `--endpoint` by HMAC-SHA-256 with `BACKUP_SIGNING_KEY` (or the local
 * default key), otherwise in KMS with `--signing-key` or the stage's key alias (only
 * the backup function's role may sign there). Exit code 1 on any failure (no
 * manifest is written), 2 when AWS credentials are needed and missing.
 */
import { exportDatabase } from '../lambda/nightly-backup/export';
import { option } from './lib/args';
import { backupS3Client, backupSigner, connectTo, mb, progressPrinter } from './lib/backup-cli';

const USAGE =
  'usage: npm run backup -- --database-url <url> --bucket <name> [--prefix <p>] [--endpoint <s3-url>] [--stage <s>] [--signing-key <kms-key>]';

async function main(): Promise<number> {
  const databaseUrl = option('--database-url') ?? process.env.DATABASE_URL;
  const bucket = option('--bucket');
  if (!databaseUrl || !bucket) {
    console.error(USAGE);
    return 1;
  }
  const stage = option('--stage') ?? 'local';
  const endpoint = option('--endpoint');
  const s3 = backupS3Client('backup', endpoint);
  let state = { tablesDone: 0, tables: 0, rows: 0, uncompressedBytes: 0, bytes: 0 };
  const progress = progressPrinter(
    (s) =>
      `backup: ${state.tablesDone}/${state.tables} tables, ${state.rows} rows, ${mb(state.uncompressedBytes)} MB read, ${mb(state.bytes)} MB stored, ${(state.uncompressedBytes / 1024 / 1024 / Math.max(s, 0.001)).toFixed(1)} MB/s`,
  );
  const started = process.hrtime.bigint();
  try {
    const { manifestKey } = await exportDatabase({
      connect: connectTo(databaseUrl),
      s3,
      bucket,
      prefix: option('--prefix') ?? `backups/${stage}`,
      stage,
      signer: backupSigner(endpoint, stage, option('--signing-key')),
      // Without --endpoint the bucket is the versioned vault.
      requireVersionIds: !endpoint,
      onProgress: (p) => {
        state = { ...p };
        progress.tick();
      },
    });
    progress.done();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.error(`backup: manifest written in ${seconds.toFixed(2)} s`);
    console.log(manifestKey);
    return 0;
  } catch (err) {
    console.error(`backup failed, no manifest written: ${(err as Error).message}`);
    return 1;
  } finally {
    s3.destroy();
  }
}

main().then((code) => process.exit(code));
