import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { ConflictError } from '../../shared/errors';
import { clientErrorOf } from './pg-errors';
import type {
  ApiKeyRecord,
  AuditRecord,
  Entry,
  EntryDocument,
  KeyStanding,
  SupportGrant,
} from '../domain/model';
import type {
  ContentStore,
  ContentWriter,
  EntryRead,
  EntryWrite,
  PendingInvalidation,
  SupportRequest,
} from '../domain/store';

type Queryable = Pick<Pool | PoolClient, 'query'>;

const iso = (v: Date | null): string | null => (v ? v.toISOString() : null);

const toEntry = (r: QueryResultRow): Entry => ({
  id: r.id,
  contentType: r.content_type,
  slug: r.slug,
  fields: r.fields,
  status: r.status,
  version: r.version,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  publishedAt: iso(r.published_at),
});

const toKey = (r: QueryResultRow): ApiKeyRecord => ({
  id: r.id,
  spaceId: r.space_id,
  name: r.name,
  role: r.role,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
});

const toGrant = (r: QueryResultRow): SupportGrant => ({
  id: r.id,
  spaceId: r.space_id,
  reason: r.reason,
  role: r.role,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at)!,
  grantedBy: { keyId: r.granted_by_key, subject: r.granted_by_subject },
  revokedAt: iso(r.revoked_at),
  revokedBy: r.revoked_at ? { keyId: r.revoked_by_key, subject: r.revoked_by_subject } : null,
  uses: Number(r.uses),
  lastUsedAt: iso(r.last_used_at),
});

const GRANT_COLUMNS =
  'id, space_id, reason, role, created_at, expires_at, granted_by_key, granted_by_subject, revoked_at, revoked_by_key, revoked_by_subject, uses, last_used_at';

const ENTRY_COLUMNS =
  'id, content_type, slug, fields, status, version, created_at, updated_at, published_at';
const KEY_COLUMNS = 'id, space_id, name, role, created_at, expires_at, revoked_at';

/** SQLSTATE classes and socket errors that mean the connection, not the statement, failed. */
const CONNECTION_ERRORS = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** Whether an error is a lost or refused connection, so that a read may be retried. */
export function isConnectionError(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  return (
    (code !== undefined && CONNECTION_ERRORS.has(code)) ||
    /Connection terminated/i.test(message ?? '')
  );
}

/** PostgreSQL unique violation on the slug constraint. */
const isSlugClash = (err: unknown) =>
  (err as { code?: string }).code === '23505' &&
  /entries_space_id_content_type_slug_key/.test((err as { constraint?: string }).constraint ?? '');

async function conditional(
  db: Queryable,
  spaceId: string,
  id: string,
  expectedVersion: number | undefined,
  sql: string,
  params: unknown[],
): Promise<EntryWrite> {
  const result = await db.query(sql, params);
  if (result.rowCount === 1) return toEntry(result.rows[0]);
  const exists = await db.query('SELECT version FROM entries WHERE space_id = $1 AND id = $2', [
    spaceId,
    id,
  ]);
  if (exists.rowCount === 0) return 'missing';
  return expectedVersion === undefined ? 'missing' : 'stale';
}

class PgWriter implements ContentWriter {
  constructor(private readonly db: PoolClient) {}

  async insertEntry(spaceId: string, e: Entry): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO entries (id, space_id, content_type, slug, fields, status, version, created_at, updated_at, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          e.id,
          spaceId,
          e.contentType,
          e.slug,
          JSON.stringify(e.fields),
          e.status,
          e.version,
          e.createdAt,
          e.updatedAt,
          e.publishedAt,
        ],
      );
    } catch (err) {
      if (isSlugClash(err))
        throw new ConflictError(`slug '${e.slug}' is taken for ${e.contentType}`);
      throw err;
    }
  }

  async updateEntry(
    spaceId: string,
    id: string,
    expectedVersion: number | undefined,
    change: { slug?: string; fields?: Record<string, unknown>; publishedAt?: string; at: string },
  ): Promise<EntryWrite> {
    try {
      return await conditional(
        this.db,
        spaceId,
        id,
        expectedVersion,
        `UPDATE entries SET
           slug = COALESCE($4, slug),
           fields = COALESCE($5::jsonb, fields),
           status = CASE WHEN $6::timestamptz IS NULL THEN status ELSE 'published' END,
           published_at = COALESCE($6::timestamptz, published_at),
           version = version + 1,
           updated_at = $7
         WHERE space_id = $1 AND id = $2 AND ($3::int IS NULL OR version = $3)
         RETURNING ${ENTRY_COLUMNS}`,
        [
          spaceId,
          id,
          expectedVersion ?? null,
          change.slug ?? null,
          change.fields ? JSON.stringify(change.fields) : null,
          change.publishedAt ?? null,
          change.at,
        ],
      );
    } catch (err) {
      if (isSlugClash(err)) throw new ConflictError(`slug '${change.slug}' is taken`);
      throw err;
    }
  }

  deleteEntry(
    spaceId: string,
    id: string,
    expectedVersion: number | undefined,
  ): Promise<EntryWrite> {
    return conditional(
      this.db,
      spaceId,
      id,
      expectedVersion,
      `DELETE FROM entries WHERE space_id = $1 AND id = $2 AND ($3::int IS NULL OR version = $3)
       RETURNING ${ENTRY_COLUMNS}`,
      [spaceId, id, expectedVersion ?? null],
    );
  }

  async insertKey(
    k: Omit<ApiKeyRecord, 'revokedAt' | 'expiresAt'> & { hash: Buffer },
  ): Promise<void> {
    await this.db.query(
      'INSERT INTO api_keys (id, space_id, name, role, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [k.id, k.spaceId, k.name, k.role, k.hash, k.createdAt],
    );
  }

  async expireKey(
    spaceId: string,
    id: string,
    at: string,
    now: string,
  ): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.query(
      `UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, $3::timestamptz), $3::timestamptz)
       WHERE space_id = $1 AND id = $2 AND revoked_at IS NULL
         AND (expires_at IS NULL OR expires_at > $4::timestamptz)
       RETURNING ${KEY_COLUMNS}`,
      [spaceId, id, at, now],
    );
    return r.rows[0] && toKey(r.rows[0]);
  }

  async revokeKey(spaceId: string, id: string, at: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.query(
      `UPDATE api_keys SET revoked_at = $3 WHERE space_id = $1 AND id = $2 AND revoked_at IS NULL
       RETURNING ${KEY_COLUMNS}`,
      [spaceId, id, at],
    );
    return r.rows[0] && toKey(r.rows[0]);
  }

  async audit(spaceId: string, a: AuditRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (space_id, at, key_id, subject, action, target, grant_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [spaceId, a.at, a.keyId, a.subject, a.action, a.target, a.grantId],
    );
  }

  async insertSupportGrant(g: SupportGrant): Promise<void> {
    await this.db.query(
      `INSERT INTO support_grants (id, space_id, reason, role, created_at, expires_at, granted_by_key, granted_by_subject)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        g.id,
        g.spaceId,
        g.reason,
        g.role,
        g.createdAt,
        g.expiresAt,
        g.grantedBy.keyId,
        g.grantedBy.subject,
      ],
    );
  }

  async revokeSupportGrant(
    spaceId: string,
    id: string,
    at: string,
    by: { keyId: string | null; subject: string | null },
  ): Promise<SupportGrant | undefined> {
    const r = await this.db.query(
      `UPDATE support_grants SET revoked_at = $3, revoked_by_key = $4, revoked_by_subject = $5
       WHERE space_id = $1 AND id = $2 AND revoked_at IS NULL AND expires_at > $3
       RETURNING ${GRANT_COLUMNS}`,
      [spaceId, id, at, by.keyId, by.subject],
    );
    return r.rows[0] && toGrant(r.rows[0]);
  }

  async insertSpace(spaceId: string, at: string): Promise<boolean> {
    const r = await this.db.query(
      'INSERT INTO spaces (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
      [spaceId, at],
    );
    return r.rowCount === 1;
  }

  async queueInvalidation(
    spaceId: string,
    paths: string[],
    at: string,
  ): Promise<PendingInvalidation> {
    const r = await this.db.query(
      `INSERT INTO invalidation_outbox (space_id, paths, created_at, next_attempt_at)
       VALUES ($1, $2, $3, $3) RETURNING id`,
      [spaceId, paths, at],
    );
    return { id: Number(r.rows[0].id), paths };
  }
}

/**
 * An instant as `Date.toISOString()` writes it, printed by PostgreSQL (cheaper there
 * than formatting a `Date` in the function). Every instant of an entry or a key is
 * written from such a string, so milliseconds hold it exactly.
 */
const isoText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The columns of an {@link EntryDocument} (table alias `e`); the fields as jsonb prints them. */
const DOCUMENT_COLUMNS = `e.id, e.content_type, e.slug, e.fields::text AS fields, e.status, e.version,
  ${isoText('e.created_at')} AS created_at, ${isoText('e.updated_at')} AS updated_at,
  ${isoText('e.published_at')} AS published_at`;

/**
 * An entry read for a response, its JSON written here in the {@link Entry} shape: the
 * fields as PostgreSQL printed the stored jsonb (valid JSON, the stored value exactly,
 * never parsed), the id a uuid, the status one of two words, the version an integer,
 * the instants ISO text, and the two names escaped by `JSON.stringify`.
 */
const toDocument = (r: QueryResultRow): EntryDocument => ({
  id: r.id,
  status: r.status,
  version: r.version,
  createdAt: r.created_at,
  json:
    `{"id":"${r.id}","contentType":${JSON.stringify(r.content_type)},"slug":${JSON.stringify(r.slug)}` +
    `,"fields":${r.fields},"status":"${r.status}","version":${r.version}` +
    `,"createdAt":"${r.created_at}","updatedAt":"${r.updated_at}"` +
    `,"publishedAt":${r.published_at === null ? 'null' : `"${r.published_at}"`}}`,
});

/**
 * A page of a space's entries in a stable order, as stored; its six parameters
 * ({@link listValues}) numbered from `$n`. Callers render {@link DOCUMENT_COLUMNS}
 * outside it, so only the rows on the page are printed, after the sort and limit.
 */
const listQuery = (n: number, also = '') => `SELECT ${ENTRY_COLUMNS} FROM entries
  WHERE space_id = $${n} ${also}
    AND ($${n + 1}::text IS NULL OR content_type = $${n + 1})
    AND (NOT $${n + 2} OR status = 'published')
    AND ($${n + 3}::timestamptz IS NULL OR (created_at, id) > ($${n + 3}::timestamptz, $${n + 4}::uuid))
  ORDER BY created_at, id
  LIMIT $${n + 5}`;

/** The parameters of {@link listQuery}. */
const listValues = (read: Extract<EntryRead, { kind: 'list' }>) => [
  read.spaceId,
  read.contentType ?? null,
  read.publishedOnly,
  read.after?.createdAt ?? null,
  read.after?.id ?? null,
  read.limit,
];

/**
 * The key of `$1` (alias `k`), its columns computed once however many entries are
 * joined to it.
 */
const KEY_BY_HASH = `(SELECT id AS key_id, space_id AS key_space_id, role AS key_role,
  ${isoText('expires_at')} AS key_expires_at, ${isoText('revoked_at')} AS key_revoked_at
  FROM api_keys WHERE key_hash = $1) k`;

const keyFromJoin = (r: QueryResultRow): KeyStanding => ({
  id: r.key_id,
  spaceId: r.key_space_id,
  role: r.key_role,
  expiresAt: r.key_expires_at,
  revokedAt: r.key_revoked_at,
});

/** The content store on PostgreSQL (the primary, through the RDS Proxy when deployed). */
export class PgContentStore implements ContentStore {
  constructor(private readonly db: Pool) {}

  /** A read, retried once on a fresh connection when the connection itself failed. */
  private async read(query: string | QueryConfig, values?: unknown[]): Promise<QueryResult> {
    const run = () =>
      typeof query === 'string' ? this.db.query(query, values) : this.db.query(query);
    try {
      return await run();
    } catch (err) {
      if (!isConnectionError(err)) throw clientErrorOf(err) ?? err;
      return run().catch((again: unknown) => {
        throw clientErrorOf(again) ?? again;
      });
    }
  }

  /** A client in an open transaction; retried once if the connection fails before any write. */
  private async begin(): Promise<PoolClient> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.db.connect();
      try {
        await client.query('BEGIN');
        return client;
      } catch (err) {
        client.release(true);
        if (attempt > 0 || !isConnectionError(err)) throw err;
      }
    }
  }

  async findKeyByHash(hash: Buffer): Promise<ApiKeyRecord | undefined> {
    const r = await this.read(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`, [hash]);
    return r.rows[0] && toKey(r.rows[0]);
  }

  /**
   * One prepared statement (planned once per connection): the key row, joined with
   * the entries asked for. The join only
   * reads entries of the space the key belongs to, so nothing of another space is
   * even read for it.
   */
  async readWithKey(
    hash: Buffer,
    read: EntryRead,
  ): Promise<{ key?: KeyStanding; entries: EntryDocument[] }> {
    const r =
      read.kind === 'one'
        ? await this.read({
            name: 'bulwark_read_entry',
            text: `SELECT k.*, ${DOCUMENT_COLUMNS} FROM ${KEY_BY_HASH}
             LEFT JOIN entries e ON e.id = $3 AND e.space_id = $2 AND k.key_space_id = $2`,
            values: [hash, read.spaceId, read.id],
          })
        : await this.read({
            name: 'bulwark_read_entries',
            text: `SELECT k.*, ${DOCUMENT_COLUMNS} FROM ${KEY_BY_HASH}
             LEFT JOIN LATERAL (${listQuery(2, 'AND k.key_space_id = $2')}) e ON true`,
            values: [hash, ...listValues(read)],
          });
    if (r.rowCount === 0) return { entries: [] };
    return {
      key: keyFromJoin(r.rows[0]),
      entries: r.rows.filter((row) => row.id !== null).map(toDocument),
    };
  }

  async readEntries(read: EntryRead): Promise<EntryDocument[]> {
    const r =
      read.kind === 'one'
        ? await this.read({
            name: 'bulwark_read_entry_alone',
            text: `SELECT ${DOCUMENT_COLUMNS} FROM entries e WHERE e.space_id = $1 AND e.id = $2`,
            values: [read.spaceId, read.id],
          })
        : await this.read({
            name: 'bulwark_read_entries_alone',
            text: `SELECT ${DOCUMENT_COLUMNS} FROM (${listQuery(1)}) e ORDER BY e.created_at, e.id`,
            values: listValues(read),
          });
    return r.rows.map(toDocument);
  }

  async listKeys(spaceId: string): Promise<ApiKeyRecord[]> {
    const r = await this.read(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE space_id = $1 ORDER BY created_at, id`,
      [spaceId],
    );
    return r.rows.map(toKey);
  }

  async listAudit(
    spaceId: string,
    q: { beforeId?: number; limit: number },
  ): Promise<(AuditRecord & { id: number })[]> {
    const r = await this.read(
      `SELECT id, at, key_id, subject, action, target, grant_id FROM audit_log
       WHERE space_id = $1 AND ($2::bigint IS NULL OR id < $2)
       ORDER BY id DESC LIMIT $3`,
      [spaceId, q.beforeId ?? null, q.limit],
    );
    return r.rows.map((row) => ({
      id: Number(row.id),
      at: iso(row.at)!,
      keyId: row.key_id,
      subject: row.subject,
      grantId: row.grant_id,
      action: row.action,
      target: row.target,
    }));
  }

  async listSupportGrants(
    spaceId: string,
    q: { before?: { createdAt: string; id: string }; limit: number },
  ): Promise<SupportGrant[]> {
    const r = await this.read(
      `SELECT ${GRANT_COLUMNS} FROM support_grants
       WHERE space_id = $1
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [spaceId, q.before?.createdAt ?? null, q.before?.id ?? null, q.limit],
    );
    return r.rows.map(toGrant);
  }

  /**
   * One statement, so that no grant can expire or be revoked between the check and
   * the use: the live grant is locked (a concurrent revocation waits, or wins and the
   * grant is then re-checked and refused), counted, and the audit row written. Not
   * retried on a lost connection: a use is counted and audited at most once.
   */
  async useSupportGrant(q: SupportRequest): Promise<string | undefined> {
    try {
      const r = await this.db.query({
        name: 'bulwark_use_support_grant',
        text: `WITH used AS (
            UPDATE support_grants SET uses = uses + 1, last_used_at = $3
            WHERE id = (
              SELECT id FROM support_grants
              WHERE space_id = $1 AND revoked_at IS NULL AND expires_at > $3
                AND (role = 'write' OR $4 = 'read')
              ORDER BY expires_at DESC, id
              LIMIT 1
              FOR UPDATE)
            RETURNING id, space_id
          ), audited AS (
            INSERT INTO audit_log (space_id, at, subject, action, target, grant_id)
            SELECT space_id, $3, $2, 'support.' || $4, $5, id FROM used
          )
          SELECT id FROM used`,
        values: [q.spaceId, q.subject, q.at, q.needed, q.route],
      });
      return r.rows[0]?.id;
    } catch (err) {
      throw clientErrorOf(err) ?? err;
    }
  }

  async removeInvalidation(id: number): Promise<void> {
    await this.db.query(
      `DELETE FROM invalidation_outbox WHERE id IN
         (SELECT id FROM invalidation_outbox WHERE id = $1 FOR UPDATE SKIP LOCKED)`,
      [id],
    );
  }

  async transaction<T>(work: (tx: ContentWriter) => Promise<T>): Promise<T> {
    const client = await this.begin();
    let broken = false;
    try {
      const result = await work(new PgWriter(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw clientErrorOf(err) ?? err;
    } finally {
      // A connection that could not roll back is closed rather than reused.
      client.release(broken);
    }
  }
}
