import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isKnownMigration, migrateInTransaction } from '../shared/content-schema/migrate';
import { type BackupObject, type Manifest, parseManifest, runFolderProblems } from './manifest';
import { type ManifestVerifier, SignatureError, signingMessage } from './signing';
import { Sha256Meter } from './streams';

/** A restore that was refused or failed; the target database is as it was. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** What {@link restoreBackup} reports while it runs. */
export interface RestoreProgress {
  readonly table: string;
  readonly tablesDone: number;
  readonly tables: number;
  readonly rows: number;
  readonly bytes: number;
}

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Full key of the run's `manifest.json`. */
  readonly manifestKey: string;
  /** Opens a connection to the target database. */
  readonly connect: () => Promise<Client>;
  /**
   * Checks the manifest's signature with the key the caller trusts; a function
   * picks that key from the (not yet verified) manifest, e.g. its stage's alias.
   */
  readonly verifier: ManifestVerifier | ((manifest: Manifest) => ManifestVerifier);
  /**
   * Restore a manifest that carries no signature (written before backups were
   * signed), with a warning through {@link onWarning}. A signature that is present
   * but does not verify is refused whatever this says.
   * @default false
   */
  readonly allowUnsigned?: boolean;
  /**
   * Refuse a signed manifest that records no version id for an object (deployed
   * backups always record one; a local server without versioning returns none).
   * @default false
   */
  readonly requireVersionIds?: boolean;
  /** What restore skips, when told to (an unsigned manifest): one line each. */
  readonly onWarning?: (message: string) => void;
  readonly onProgress?: (p: RestoreProgress) => void;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const notFound = (err: unknown) =>
  ['NotFound', 'NoSuchKey'].includes((err as Error).name) ||
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/**
 * Restores a backup (BACKUP.md) into an empty database, in one transaction: verifies
 * the manifest's signature, refuses any object outside the run's own folder, checks
 * that every object exists with its recorded size and version, then, in the
 * transaction, locks the target's content tables and refuses it if they hold data,
 * applies the migrations up to the recorded schema version, loads each table with
 * `COPY FROM` (reading exactly the recorded version of each object) while hashing
 * what it reads, checks every SHA-256 and row count and moves sequences past the
 * restored ids. Any mismatch rolls everything back.
 */
export async function restoreBackup(options: RestoreOptions): Promise<Manifest> {
  const { s3, bucket } = options;
  const manifest = await readManifest(s3, bucket, options.manifestKey);
  await checkAuthentic(options, manifest);
  if (!isKnownMigration(manifest.schemaVersion)) {
    throw new RestoreError(
      `The backup's schema version ${manifest.schemaVersion} is unknown to this code; restore with the release that wrote it`,
    );
  }
  await checkObjects(s3, bucket, manifest);

  const client = await options.connect();
  client.on('error', () => undefined); // reported through the failing query
  try {
    await client.query('BEGIN');
    try {
      // Under the locks taken here, no writer can add rows between the check and the load.
      await refuseNonEmptyTarget(client);
      await migrateInTransaction(client, manifest.schemaVersion);
      const order = await loadOrder(client, manifest);
      let done = 0;
      for (const table of order) {
        let rows = 0;
        let bytes = 0;
        for (const object of table.objects) {
          const loaded = await loadObject(client, s3, bucket, table.name, object);
          rows += loaded.rows;
          bytes += object.bytes;
          options.onProgress?.({
            table: table.name,
            tablesDone: done,
            tables: order.length,
            rows,
            bytes,
          });
        }
        if (rows !== table.rows) {
          throw new RestoreError(
            `Table ${table.name}: loaded ${rows} rows, the manifest records ${table.rows}`,
          );
        }
        done++;
      }
      await resetSequences(client, manifest);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return manifest;
}

/**
 * The manifest is the one the backup signed, and names only objects of its own run:
 * its signature verifies with the trusted key (or it has none and the caller allowed
 * that), and every object key lies in the run's own folder. The signature covers the
 * folder's date and run id, so a genuine manifest copied elsewhere is refused too.
 */
async function checkAuthentic(options: RestoreOptions, manifest: Manifest): Promise<void> {
  const key = options.manifestKey;
  if (!manifest.signature) {
    if (!options.allowUnsigned) {
      throw new RestoreError(
        `${key}: the manifest is unsigned, so nothing proves the backup wrote it; refusing (a manifest from before backups were signed restores with --allow-unsigned)`,
      );
    }
    options.onWarning?.(
      `${key} is UNSIGNED and restored only because unsigned manifests were allowed: its authenticity is NOT verified (anyone who could write under the backup prefix could have written it and the objects it lists)${
        manifest.tables.some((t) => t.objects.some((o) => !o.versionId))
          ? '; it records no version ids, so the current version of each object is read'
          : ''
      }`,
    );
  } else {
    const verifier =
      typeof options.verifier === 'function' ? options.verifier(manifest) : options.verifier;
    try {
      await verifier.verify(signingMessage(manifest), manifest.signature);
    } catch (err) {
      if (err instanceof SignatureError) throw new RestoreError(`${key}: ${err.message}`);
      throw err;
    }
    if (options.requireVersionIds) {
      const missing = manifest.tables.flatMap((t) => t.objects).filter((o) => !o.versionId);
      if (missing.length) {
        throw new RestoreError(
          `${key}: the manifest records no version id for ${missing[0].key}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}; a deployed backup records every object's version`,
        );
      }
    }
  }
  const problems = runFolderProblems(key, manifest);
  if (problems.length) {
    throw new RestoreError(
      `The manifest names objects outside its run; refusing: ${problems.join('; ')}`,
    );
  }
}

/** The object at the version the manifest records (the current one where it records none). */
const objectAt = (bucket: string, object: BackupObject) => ({
  Bucket: bucket,
  Key: object.key,
  ...(object.versionId && { VersionId: object.versionId }),
});

/** S3 must have answered with the recorded version (a server that ignores versions does not). */
function wrongVersion(object: BackupObject, returned: string | undefined): string | undefined {
  if (!object.versionId || returned === object.versionId) return undefined;
  return `${object.key}: S3 returned version ${returned ?? '(none)'}, the manifest records ${object.versionId}; refusing to read another version`;
}

async function readManifest(s3: S3Client, bucket: string, key: string): Promise<Manifest> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return parseManifest(await r.Body!.transformToString());
  } catch (err) {
    if (notFound(err)) throw new RestoreError(`No manifest at s3://${bucket}/${key}`);
    if (err instanceof Error && err.message.startsWith('Invalid manifest')) {
      throw new RestoreError(`${key}: ${err.message}`);
    }
    throw err;
  }
}

/** Every object must exist with the size the manifest records (truncation shows here). */
async function checkObjects(s3: S3Client, bucket: string, manifest: Manifest): Promise<void> {
  const problems: string[] = [];
  for (const table of manifest.tables) {
    for (const object of table.objects) {
      try {
        const head = await s3.send(new HeadObjectCommand(objectAt(bucket, object)));
        const version = wrongVersion(object, head.VersionId);
        if (version) {
          problems.push(version);
        } else if (head.ContentLength !== object.bytes) {
          problems.push(
            `${object.key}: ${head.ContentLength} bytes stored, the manifest records ${object.bytes} (truncated or replaced)`,
          );
        }
      } catch (err) {
        if (!notFound(err)) throw err;
        problems.push(
          `${object.key}: missing${object.versionId ? ` (version ${object.versionId})` : ''}`,
        );
      }
    }
  }
  if (problems.length) {
    throw new RestoreError(`The backup is incomplete:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Inside the restore's transaction: locks every content table the target already
 * has (ACCESS EXCLUSIVE, held until commit or rollback), then refuses the target if
 * any of them holds a row. A writer that got in first has committed by the time the
 * lock is granted, and its rows are seen; one that comes later waits for the restore
 * to end. Tables that do not exist yet are created by the migrations in the same
 * transaction, where no one else can write to them before the commit.
 */
async function refuseNonEmptyTarget(client: Client): Promise<void> {
  const tables = (
    await client.query(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
        ORDER BY 1`,
    )
  ).rows.map((r) => r.name as string);
  if (tables.length === 0) return;
  await client.query(`LOCK TABLE ${tables.map(quote).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  for (const table of tables) {
    const rows = await client.query(`SELECT 1 FROM ${quote(table)} LIMIT 1`);
    if (rows.rowCount) {
      throw new RestoreError(
        `The target database already holds content data (table ${table} has rows); restore only into an empty database`,
      );
    }
  }
}

/**
 * The manifest's tables in an order that satisfies foreign keys (referenced tables
 * first); the schema at that version must have exactly the manifest's tables.
 */
async function loadOrder(client: Client, manifest: Manifest): Promise<Manifest['tables']> {
  const schema = (
    await client.query(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'schema_migrations'`,
    )
  ).rows.map((r) => r.name as string);
  const listed = manifest.tables.map((t) => t.name);
  const missing = schema.filter((t) => !listed.includes(t));
  const extra = listed.filter((t) => !schema.includes(t));
  if (missing.length || extra.length) {
    throw new RestoreError(
      `The manifest does not match schema ${manifest.schemaVersion}: ${[
        ...missing.map((t) => `table ${t} missing from the backup`),
        ...extra.map((t) => `table ${t} not in the schema`),
      ].join('; ')}`,
    );
  }
  const edges = (
    await client.query(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE c.contype = 'f' AND n.nspname = current_schema()`,
    )
  ).rows as { child: string; parent: string }[];
  const ordered: Manifest['tables'][number][] = [];
  const placed = new Set<string>();
  while (ordered.length < manifest.tables.length) {
    const next = manifest.tables.find(
      (t) =>
        !placed.has(t.name) &&
        edges.every(
          (e) =>
            e.child.replace(/"/g, '') !== t.name ||
            e.parent.replace(/"/g, '') === t.name ||
            placed.has(e.parent.replace(/"/g, '')),
        ),
    );
    if (!next) throw new RestoreError('Circular foreign keys between content tables');
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

async function loadObject(
  client: Client,
  s3: S3Client,
  bucket: string,
  table: string,
  object: BackupObject,
): Promise<{ rows: number }> {
  const meter = new Sha256Meter();
  const copy = client.query(copyFrom(`COPY ${quote(table)} FROM STDIN`));
  try {
    const r = await s3.send(new GetObjectCommand(objectAt(bucket, object)));
    const version = wrongVersion(object, r.VersionId);
    if (version) {
      (r.Body as Readable).destroy();
      throw new RestoreError(version);
    }
    await pipeline(r.Body as Readable, meter, createGunzip(), copy);
  } catch (err) {
    if (err instanceof RestoreError) {
      copy.destroy(err);
      throw err;
    }
    const digest = meter.digest();
    if (digest !== object.sha256 && meter.bytes === object.bytes) {
      throw new RestoreError(`${object.key}: SHA-256 mismatch (tampered)`);
    }
    throw new RestoreError(
      `${object.key}: cannot be loaded (${(err as Error).message}); tampered or truncated`,
    );
  }
  if (meter.bytes !== object.bytes || meter.digest() !== object.sha256) {
    throw new RestoreError(`${object.key}: SHA-256 mismatch (tampered)`);
  }
  return { rows: copy.rowCount };
}

/** Moves every sequence owned by a restored column past the highest restored value. */
async function resetSequences(client: Client, manifest: Manifest): Promise<void> {
  const owned = await client.query(
    `SELECT c.relname AS table_name, a.attname AS column_name,
            pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
  );
  const tables = new Set(manifest.tables.map((t) => t.name));
  for (const r of owned.rows) {
    if (!tables.has(r.table_name)) continue;
    await client.query(
      `SELECT setval($1, COALESCE((SELECT max(${quote(r.column_name)}) FROM ${quote(r.table_name)}), 0) + 1, false)`,
      [r.seq],
    );
  }
}
