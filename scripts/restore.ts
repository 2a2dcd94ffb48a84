/**
 * `npm run restore -- --bucket <name> --manifest <key> --database-url <url> [--endpoint <s3-url>]`
 *
 * Restores a backup into an empty database (BACKUP.md), verifying every object's
 * SHA-256 and every table's row count. Exit code 1, naming the problem, on any
 * mismatch or a non-empty target (which is left as it was); 2 when AWS credentials
 * are needed and missing.
 */
import { RestoreError, restoreBackup } from '../lambda/nightly-backup/restore';
import { option } from './lib/args';
import { backupS3Client, connectTo, mb, progressPrinter } from './lib/backup-cli';

const USAGE =
  'usage: npm run restore -- --bucket <name> --manifest <key> --database-url <url> [--endpoint <s3-url>]';

async function main(): Promise<number> {
  const databaseUrl = option('--database-url') ?? process.env.DATABASE_URL;
  const bucket = option('--bucket');
  const manifestKey = option('--manifest');
  if (!databaseUrl || !bucket || !manifestKey) {
    console.error(USAGE);
    return 1;
  }
  const s3 = backupS3Client('restore', option('--endpoint'));
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
      onProgress: (p) => {
        state = { ...p };
        progress.tick();
      },
    });
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    console.error(
      `restore: ${manifest.tables.length} tables, ${rows} rows restored at schema ${manifest.schemaVersion}; every checksum and row count matched`,
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

main().then((code) => process.exit(code));
