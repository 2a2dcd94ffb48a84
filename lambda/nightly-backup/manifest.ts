import { MAC_ALGORITHM, type ManifestSignature } from './signing';

/** Format tag of the manifests this code writes and reads (BACKUP.md). */
export const MANIFEST_FORMAT = 'bulwark-backup/1';

/** One stored object: a table, or one chunk of a large table. */
export interface BackupObject {
  /** Full object key. */
  readonly key: string;
  /** Stored (compressed) size. */
  readonly bytes: number;
  /** Size of the COPY text before compression. */
  readonly uncompressedBytes: number;
  /** SHA-256 of the stored bytes, hex. */
  readonly sha256: string;
  /**
   * S3 version id of the object as written; restore reads exactly this version.
   * Absent only where the store returned none (a local S3-compatible server
   * without versioning); the deployed vault is versioned and always returns one.
   */
  readonly versionId?: string;
}

/** One table of the content schema. */
export interface BackupTable {
  readonly name: string;
  /** Rows exported. */
  readonly rows: number;
  readonly objects: readonly BackupObject[];
}

/** The manifest, written last: a run without one did not happen. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly runId: string;
  readonly stage: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly postgresVersion: string;
  /** Last migration applied to the exported database. */
  readonly schemaVersion: string;
  readonly tables: readonly BackupTable[];
  /**
   * MAC over the canonical content (every other field, see `signing.ts`), with the
   * algorithm and the key that made it. Absent only in manifests written before
   * backups were signed, which restore refuses unless told otherwise.
   */
  readonly signature?: ManifestSignature;
}

/** Name of the manifest object in a run's folder. */
export const MANIFEST_NAME = 'manifest.json';

/** What a run wrote, as its metrics and log line report it: stored bytes, rows, tables. */
export function manifestTotals(manifest: Manifest): {
  bytes: number;
  rows: number;
  tables: number;
} {
  return {
    bytes: manifest.tables.flatMap((t) => t.objects).reduce((n, o) => n + o.bytes, 0),
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
    tables: manifest.tables.length,
  };
}

/**
 * Folder of one run: `<prefix>/<YYYY>/<MM>/<DD>/<run-id>/` (UTC date).
 */
export function runFolder(prefix: string, startedAt: Date, runId: string): string {
  const iso = startedAt.toISOString();
  const [y, m, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  return `${prefix.replace(/\/+$/, '')}/${y}/${m}/${d}/${runId}/`;
}

/** A run id such as `2026-11-23T02-00-00Z-7f3a`: sortable, unique per run. */
export function newRunId(startedAt: Date, random: string): string {
  return `${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}Z-${random}`;
}

/** Object key of one chunk of a table. */
export function objectKey(folder: string, table: string, chunk: number): string {
  return `${folder}${table}.${String(chunk).padStart(4, '0')}.copy.gz`;
}

const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const SHA256 = /^[0-9a-f]{64}$/;
const TABLE = /^[a-z_][a-z0-9_]{0,62}$/;
/** A base64 HMAC-SHA-256 (32 bytes). */
const MAC = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Parses a manifest and checks every field restore relies on; throws naming the
 * first problem (a manifest is data from storage, never trusted blindly).
 */
export function parseManifest(text: string): Manifest {
  // Untrusted JSON, checked field by field below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let m: any;
  try {
    m = JSON.parse(text);
  } catch {
    throw new Error('The manifest is not JSON');
  }
  const fail = (what: string): never => {
    throw new Error(`Invalid manifest: ${what}`);
  };
  if (m?.format !== MANIFEST_FORMAT) fail(`format must be ${MANIFEST_FORMAT}`);
  for (const f of [
    'runId',
    'stage',
    'startedAt',
    'finishedAt',
    'postgresVersion',
    'schemaVersion',
  ]) {
    if (typeof m[f] !== 'string' || m[f].length === 0) fail(`${f} must be a non-empty string`);
  }
  if (!Array.isArray(m.tables) || m.tables.length === 0) fail('tables must be a non-empty list');
  const names = new Set<string>();
  for (const t of m.tables) {
    if (!TABLE.test(t?.name ?? '')) fail(`table name ${JSON.stringify(t?.name)} is not valid`);
    if (names.has(t.name)) fail(`table ${t.name} appears twice`);
    names.add(t.name);
    if (!isCount(t.rows)) fail(`rows of ${t.name} must be a count`);
    if (!Array.isArray(t.objects) || t.objects.length === 0) fail(`${t.name} has no objects`);
    for (const o of t.objects) {
      if (typeof o?.key !== 'string' || !o.key) fail(`an object of ${t.name} has no key`);
      if (!isCount(o.bytes) || !isCount(o.uncompressedBytes)) fail(`sizes of ${o.key}`);
      if (!SHA256.test(o.sha256 ?? '')) fail(`sha256 of ${o.key} must be 64 hex digits`);
      if (
        o.versionId !== undefined &&
        (typeof o.versionId !== 'string' || o.versionId.length === 0 || o.versionId.length > 1024)
      ) {
        fail(`versionId of ${o.key} must be a non-empty string`);
      }
    }
  }
  if (m.signature !== undefined) {
    const s = m.signature;
    if (s?.algorithm !== MAC_ALGORITHM) fail(`signature.algorithm must be ${MAC_ALGORITHM}`);
    if (typeof s.keyId !== 'string' || !s.keyId) fail('signature.keyId must be a non-empty string');
    if (typeof s.value !== 'string' || !MAC.test(s.value)) {
      fail('signature.value must be a base64 HMAC-SHA-256');
    }
  }
  return m as Manifest;
}

/**
 * Why the objects of a manifest stored at `manifestKey` are not all in that run's
 * own folder: the folder must be `<prefix>/<YYYY>/<MM>/<DD>/<run-id>/` of the
 * manifest's own start date and run id, and each object key the folder followed by
 * `<table>.<NNNN>.copy.gz` of its own table, listed once. Empty when they are.
 */
export function runFolderProblems(manifestKey: string, manifest: Manifest): string[] {
  if (!manifestKey.endsWith(`/${MANIFEST_NAME}`)) {
    return [`${manifestKey} is not a run's ${MANIFEST_NAME}`];
  }
  const folder = manifestKey.slice(0, -MANIFEST_NAME.length);
  const started = new Date(manifest.startedAt);
  const problems: string[] = [];
  const expected = Number.isNaN(started.getTime())
    ? undefined
    : runFolder('', started, manifest.runId).slice(1);
  if (!expected || !folder.endsWith(`/${expected}`) || folder.split('/').includes('..')) {
    problems.push(
      `${manifestKey}: the manifest's run ${manifest.runId} (started ${manifest.startedAt}) belongs in a folder ending ${expected ?? '<date>/<run-id>/'}, not ${folder}`,
    );
  }
  const seen = new Set<string>();
  for (const table of manifest.tables) {
    for (const object of table.objects) {
      const name = object.key.startsWith(folder) ? object.key.slice(folder.length) : undefined;
      const own = new RegExp(`^${table.name}\\.\\d{4}\\.copy\\.gz$`);
      if (name === undefined || !own.test(name)) {
        problems.push(
          `${object.key}: outside the run's folder ${folder} (or not an object of table ${table.name})`,
        );
      } else if (seen.has(object.key)) {
        problems.push(`${object.key}: listed twice`);
      }
      seen.add(object.key);
    }
  }
  return problems;
}
