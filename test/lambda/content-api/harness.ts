import { createApi } from '../../../lambda/content-api/api';
import { PgContentStore } from '../../../lambda/content-api/adapters/pg-store';
import type { Role } from '../../../lambda/content-api/domain/model';
import { ContentService, type ServiceDeps } from '../../../lambda/content-api/domain/service';
import type { ApiResponse } from '../../../lambda/content-api/http';
import { createTestDatabase, type TestDatabase } from '../../support/database';

/** Options of one call. */
export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Raw body text (overrides `body`). */
  raw?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** A parsed response. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * The content API over a real PostgreSQL database of its own, with a clock the
 * test controls and a recorder of CDN invalidations.
 */
export class ApiHarness {
  now = new Date('2026-11-01T12:00:00.000Z');
  readonly invalidations: string[][] = [];
  /** How the queue behaves: answers, fails (unreachable) or never answers. */
  queue: 'up' | 'failing' | 'hanging' = 'up';
  /** Invalidations the service left to the outbox drainer. */
  readonly deferred: Record<string, unknown>[] = [];
  private constructor(
    readonly db: TestDatabase,
    readonly service: ContentService,
    private readonly handle: (
      req: Parameters<ReturnType<typeof createApi>>[0],
    ) => Promise<ApiResponse>,
    readonly errors: Record<string, unknown>[],
  ) {}

  static async start(
    spaces = ['alpha', 'beta'],
    rotationGraceSeconds = 3600,
    people: Pick<ServiceDeps, 'people' | 'keyManagement'> = {},
  ): Promise<ApiHarness> {
    const db = await createTestDatabase({ spaces });
    const errors: Record<string, unknown>[] = [];
    let harness: ApiHarness | undefined = undefined;
    const service = new ContentService({
      store: new PgContentStore(db.pool),
      invalidator: {
        invalidate: async (paths) => {
          if (harness!.queue === 'failing') throw new Error('connect ETIMEDOUT sqs');
          if (harness!.queue === 'hanging') return new Promise<void>(() => undefined);
          harness!.invalidations.push(paths);
        },
      },
      invalidationWaitMs: 100,
      onInvalidationDeferred: (detail) => void harness!.deferred.push(detail),
      pepper: Buffer.from('test-pepper'),
      rotationGraceSeconds,
      now: () => harness!.now,
      ...people,
    });
    const handle = createApi(service, (_m, detail) => void errors.push(detail));
    harness = new ApiHarness(db, service, handle, errors);
    return harness;
  }

  /** Advances the clock. */
  tick(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** Mints a key directly (as `space:create` does). */
  async key(space: string, role: Role, name = `${role} key`): Promise<{ id: string; key: string }> {
    const k = await this.service.createKey({ kind: 'operator', name: 'test' }, space, {
      name,
      role,
    });
    return { id: k.id, key: k.key };
  }

  async call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const [p, qs] = path.split('?');
    const query: Record<string, string> = {
      ...Object.fromEntries(new URLSearchParams(qs ?? '')),
      ...o.query,
    };
    const headers: Record<string, string> = {};
    if (o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
    let body: string | undefined;
    if (o.raw !== undefined || o.body !== undefined) {
      body = o.raw ?? JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
    const res = await this.handle({ method, path: p, query, headers, body });
    return {
      status: res.status,
      headers: res.headers,
      body: res.body ? JSON.parse(res.body) : undefined,
    };
  }

  /** Creates an entry with a write key and returns it. */
  async entry(
    space: string,
    key: string,
    slug: string,
    fields: Record<string, unknown> = { title: slug },
  ) {
    const r = await this.call('POST', `/v1/spaces/${space}/entries`, {
      key,
      body: { contentType: 'article', slug, fields },
    });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Row counts of every content table: the database's observable state. */
  async snapshot(): Promise<string> {
    const tables = [
      'spaces',
      'entries',
      'api_keys',
      'audit_log',
      'invalidation_outbox',
      'support_grants',
    ];
    const parts = [];
    for (const t of tables) {
      const r = await this.db.pool.query(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h, count(*) AS n FROM ${t} t`,
      );
      parts.push(`${t}:${r.rows[0].n}:${r.rows[0].h}`);
    }
    return parts.join(' ');
  }

  async stop(): Promise<void> {
    await this.db.drop();
  }
}
