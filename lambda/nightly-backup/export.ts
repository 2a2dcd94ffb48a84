import { availableParallelism } from 'node:os';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import {
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  type BackupObject,
  type BackupTable,
  type Manifest,
  newRunId,
  objectKey,
  runFolder,
} from './manifest';
import { type ManifestSigner, signManifest } from './signing';
import { Coalescer, RowCounter, Sha256Meter } from './streams';

/** What {@link exportDatabase} reports while it runs. */
export interface ExportProgress {
  readonly tablesDone: number;
  readonly tables: number;
  readonly rows: number;
  readonly uncompressedBytes: number;
  readonly bytes: number;
}

/** Options of {@link exportDatabase}. */
export interface ExportOptions {
  /** Opens a new connection to the content database (one per worker). */
  readonly connect: () => Promise<Client>;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Key prefix, e.g. `backups/production`. */
  readonly prefix: string;
  readonly stage: string;
  /** SSE-KMS key for every object; without it the bucket's default encryption applies. */
  readonly kmsKeyId?: string;
  /** Signs the manifest (a KMS HMAC key when deployed, a local key with `--endpoint`). */
  readonly signer: ManifestSigner;
  /**
   * Fail the run when S3 returns no version id for an object: the deployed vault is
   * versioned, so a missing id means the objects went somewhere else.
   * @default false (a local S3-compatible server may have no versioning)
   */
  readonly requireVersionIds?: boolean;
  /**
   * Tables and table ranges exported at once, on one exported snapshot.
   * @default {@link defaultWorkers}
   */
  readonly parallelism?: number;
  /** gzip level. @default 1 (the best speed/size point, see `npm run bench:backup`) */
  readonly gzipLevel?: number;
  readonly now?: () => Date;
  /** Random suffix of the run id. */
  readonly random?: () => string;
  readonly onProgress?: (p: ExportProgress) => void;
  /** Tables larger than this are split into page ranges. @default {@link CHUNK_BYTES} */
  readonly chunkBytes?: number;
  /**
   * Called with the database's size before any table is read; throwing stops the
   * export (the Lambda's pre-flight check).
   */
  readonly beforeExport?: (databaseBytes: number) => void;
}

/** Result of a successful export. */
export interface ExportResult {
  readonly manifest: Manifest;
  readonly manifestKey: string;
  /** Connections that exported at once. */
  readonly workers: number;
}

/** Most workers by default: each holds a database connection and two parts in memory. */
export const MAX_DEFAULT_WORKERS = 8;

/**
 * One worker per CPU the process may use, at least 2 and at most
 * {@link MAX_DEFAULT_WORKERS}: each worker's gzip runs on a thread of its own, and
 * `npm run bench:backup` shows 2 workers beating 1 even on 2 CPUs (the database's
 * COPY and the upload wait in between), while more than the CPUs gain nothing.
 */
export function defaultWorkers(cpus: number = availableParallelism()): number {
  return Math.max(2, Math.min(MAX_DEFAULT_WORKERS, cpus));
}

/** S3 allows 10,000 parts per upload; stay well below. */
const MAX_PARTS = 9_000;
const MIN_PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once per table: memory is about (queue + 1) × part size per table. */
export const UPLOAD_QUEUE_SIZE = 2;

/**
 * Part size for a table of `estimatedBytes` on disk: 8 MiB, or larger so that even an
 * incompressible table fits in {@link MAX_PARTS} parts.
 */
export function partSizeFor(estimatedBytes: number): number {
  const needed = Math.ceil(estimatedBytes / MAX_PARTS);
  return Math.max(MIN_PART_BYTES, Math.ceil(needed / (1024 * 1024)) * 1024 * 1024);
}

const quote = (table: string) => `"${table.replace(/"/g, '""')}"`;

interface TableInfo {
  readonly name: string;
  readonly estimatedBytes: number;
  /** Heap pages (estimate from the last ANALYZE or VACUUM). */
  readonly pages: number;
}

/** One unit of work: a whole table, or a range of its heap pages. */
interface Chunk {
  readonly table: TableInfo;
  readonly index: number;
  /** First page of the range; undefined for a whole table. */
  readonly fromPage?: number;
  /** First page after the range; undefined for the open-ended last range. */
  readonly toPage?: number;
}

/** Tables larger than this are split into page ranges exported in parallel. */
export const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Splits large tables into page ranges (`ctid` ranges, which partition a table
 * exactly under one snapshot), so that several workers share a large table.
 */
export function planChunks(
  tables: readonly TableInfo[],
  workers: number,
  chunkBytes = CHUNK_BYTES,
): Chunk[] {
  const chunks: Chunk[] = [];
  for (const table of tables) {
    const wanted = Math.ceil(table.estimatedBytes / chunkBytes);
    const count = Math.min(workers * 4, wanted, table.pages);
    if (count <= 1) {
      chunks.push({ table, index: 0 });
      continue;
    }
    const step = Math.ceil(table.pages / count);
    for (let i = 0; i < count; i++) {
      chunks.push({
        table,
        index: i,
        fromPage: i * step,
        toPage: i === count - 1 ? undefined : (i + 1) * step,
      });
    }
  }
  return chunks;
}

function copyQuery(chunk: Chunk): string {
  const table = quote(chunk.table.name);
  if (chunk.fromPage === undefined) return `COPY ${table} TO STDOUT`;
  const range = [`ctid >= '(${chunk.fromPage},0)'::tid`];
  if (chunk.toPage !== undefined) range.push(`ctid < '(${chunk.toPage},0)'::tid`);
  return `COPY (SELECT * FROM ${table} WHERE ${range.join(' AND ')}) TO STDOUT`;
}

/**
 * The nightly logical export (BACKUP.md): every table of the content schema from one
 * consistent snapshot, each streamed `COPY TO STDOUT` → gzip → S3 multipart upload
 * with backpressure end to end, then the manifest, written last. Any failure aborts
 * the open uploads, writes no manifest and rejects.
 */
export async function exportDatabase(options: ExportOptions): Promise<ExportResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const random = options.random ?? (() => Math.random().toString(16).slice(2, 6));
  const runId = newRunId(startedAt, random());
  const folder = runFolder(options.prefix, startedAt, runId);
  const clients: Client[] = [];
  const abort = new AbortController();
  // A connection that dies reports through the query it breaks; the client's own
  // 'error' event must not bring the process down.
  const connect = async () => {
    const c = await options.connect();
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  let succeeded = false;
  try {
    // Sign a probe first: a run that could not sign its manifest fails before it
    // reads anything, not after exporting everything. The probe is no manifest
    // message (see signing.ts), so its MAC can never pass for one.
    await options.signer.sign(Buffer.from(`bulwark-backup/1 probe ${runId}`, 'ascii'));
    const leader = await connect();
    await leader.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const snapshot = (await leader.query('SELECT pg_export_snapshot() AS id')).rows[0].id as string;
    const postgresVersion = (await leader.query('SHOW server_version')).rows[0]
      .server_version as string;
    const schemaVersion = (await leader.query('SELECT max(name) AS v FROM schema_migrations'))
      .rows[0].v as string | null;
    if (!schemaVersion) throw new Error('The database has no applied migrations to back up');
    if (options.beforeExport) {
      const size = await leader.query('SELECT pg_database_size(current_database())::float8 AS s');
      options.beforeExport(Number(size.rows[0].s));
    }
    const tables = (
      await leader.query(
        `SELECT c.relname AS name, pg_total_relation_size(c.oid)::float8 AS size,
                greatest(c.relpages, (pg_relation_size(c.oid) / current_setting('block_size')::int))::float8 AS pages
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
          ORDER BY 2 DESC, 1`,
      )
    ).rows.map((r): TableInfo => ({
      name: r.name,
      estimatedBytes: Number(r.size),
      pages: Number(r.pages),
    }));

    const workers = Math.max(1, Math.min(options.parallelism ?? defaultWorkers(), tables.length));
    for (let i = 1; i < workers; i++) {
      const c = await connect();
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await c.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, '')}'`);
    }

    const progress = {
      tablesDone: 0,
      tables: tables.length,
      rows: 0,
      uncompressedBytes: 0,
      bytes: 0,
    };
    const queue = planChunks(tables, workers, options.chunkBytes);
    const remaining = new Map(
      tables.map((t) => [t.name, queue.filter((c) => c.table === t).length]),
    );
    const done: { chunk: Chunk; rows: number; object: BackupObject }[] = [];
    const work = async (client: Client) => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const result = await exportChunk(client, c, folder, options, abort.signal, (d) => {
          progress.rows += d.rows;
          progress.uncompressedBytes += d.uncompressedBytes;
          progress.bytes += d.bytes;
          options.onProgress?.({ ...progress });
        });
        done.push({ chunk: c, ...result });
        const left = remaining.get(c.table.name)! - 1;
        remaining.set(c.table.name, left);
        if (left === 0) progress.tablesDone++;
        options.onProgress?.({ ...progress });
      }
    };
    const outcomes = await Promise.allSettled(
      clients.map((c) =>
        work(c).catch((err: unknown) => {
          abort.abort(err);
          throw err;
        }),
      ),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;

    const unsigned: Manifest = {
      format: MANIFEST_FORMAT,
      runId,
      stage: options.stage,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      postgresVersion,
      schemaVersion,
      tables: tables
        .map((t): BackupTable => {
          const parts = done
            .filter((d) => d.chunk.table === t)
            .sort((a, b) => a.chunk.index - b.chunk.index);
          return {
            name: t.name,
            rows: parts.reduce((n, p) => n + p.rows, 0),
            objects: parts.map((p) => p.object),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
    const manifest: Manifest = await signManifest(unsigned, options.signer);
    const manifestKey = `${folder}${MANIFEST_NAME}`;
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: manifestKey,
        Body: JSON.stringify(manifest, null, 2),
        ContentType: 'application/json',
        ChecksumAlgorithm: 'SHA256',
        ...encryption(options.kmsKeyId),
      }),
    );
    succeeded = true;
    return { manifest, manifestKey, workers };
  } finally {
    // After a failure a connection may be stuck in COPY: close it, and the server
    // ends its read-only transaction.
    await Promise.all(
      clients.map(async (c) => {
        if (succeeded) await c.query('ROLLBACK').catch(() => undefined);
        await c.end().catch(() => undefined);
      }),
    );
  }
}

const encryption = (kmsKeyId?: string) =>
  kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId } : {};

async function exportChunk(
  client: Client,
  chunk: Chunk,
  folder: string,
  options: ExportOptions,
  signal: AbortSignal,
  onDelta: (d: { rows: number; uncompressedBytes: number; bytes: number }) => void,
): Promise<{ rows: number; object: BackupObject }> {
  const table = chunk.table;
  const key = objectKey(folder, table.name, chunk.index);
  const counter = new RowCounter();
  const meter = new Sha256Meter();
  const body = new PassThrough();
  const upload = new Upload({
    client: options.s3,
    params: {
      Bucket: options.bucket,
      Key: key,
      Body: body,
      ContentType: 'application/gzip',
      ChecksumAlgorithm: 'SHA256',
      ...encryption(options.kmsKeyId),
    },
    partSize: partSizeFor(table.estimatedBytes),
    queueSize: UPLOAD_QUEUE_SIZE,
    leavePartsOnError: false,
  });
  let reported = { rows: 0, uncompressedBytes: 0, bytes: 0 };
  const report = () => {
    const now = { rows: counter.rows, uncompressedBytes: counter.bytes, bytes: meter.bytes };
    onDelta({
      rows: now.rows - reported.rows,
      uncompressedBytes: now.uncompressedBytes - reported.uncompressedBytes,
      bytes: now.bytes - reported.bytes,
    });
    reported = now;
  };
  meter.on('data', () => meter.bytes - reported.bytes > 4 * 1024 * 1024 && report());
  const copy = client.query(copyTo(copyQuery(chunk)));
  const uploaded = upload.done().catch((err: unknown) => {
    body.destroy(err as Error);
    throw err;
  });
  const streamed = pipeline(
    copy,
    new Coalescer(),
    counter,
    createGzip({ level: options.gzipLevel ?? 1, chunkSize: 256 * 1024 }),
    meter,
    body,
    { signal },
  ).catch(async (err: unknown) => {
    await upload.abort().catch(() => undefined);
    throw err;
  });
  const [outcome] = await Promise.allSettled([streamed, uploaded]).then((all) => [
    all.find((o) => o.status === 'rejected'),
  ]);
  if (outcome) throw (outcome as PromiseRejectedResult).reason;
  report();
  const { VersionId: versionId } = await uploaded;
  if (!versionId && options.requireVersionIds) {
    throw new Error(
      `S3 returned no version id for ${key}: the backup bucket must be versioned (the vault is)`,
    );
  }
  return {
    rows: counter.rows,
    object: {
      key,
      bytes: meter.bytes,
      uncompressedBytes: counter.bytes,
      sha256: meter.digest(),
      ...(versionId && { versionId }),
    },
  };
}
