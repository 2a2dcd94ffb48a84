import { createHash, randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import {
  ApiError,
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionRequiredError,
  UnsupportedMediaTypeError,
} from '../shared/errors';
import { MAX_VERSION, checkJsonValue, checkText } from './domain/input';
import { MAX_BODY_BYTES } from './limits';
import type { EntryDocument, Principal, Role } from './domain/model';
import {
  auditQuerySchema,
  entryPatchSchema,
  listEntriesQuerySchema,
  newEntrySchema,
  newKeySchema,
  newSupportGrantSchema,
  previewQuerySchema,
  spaceIdSchema,
  supportGrantsQuerySchema,
  uuidSchema,
} from './domain/schemas';
import type { ContentService } from './domain/service';
import { NO_STORE, PUBLIC_CACHE, json, jsonText, type ApiRequest, type ApiResponse } from './http';

export { MAX_BODY_BYTES };

/** Receives one line per failed request with an internal error. */
export type ErrorLog = (message: string, detail: Record<string, unknown>) => void;

interface ReadCtx {
  readonly req: ApiRequest;
  readonly space: string;
  readonly params: Record<string, string>;
  /** The bearer token, for routes that authenticate together with their read. */
  readonly token: string | undefined;
}

interface Ctx extends ReadCtx {
  readonly principal: Principal;
}

/**
 * A method of a route: either the router authenticates and authorizes for `role`
 * before `run`, or (`role: 'with-read'`) the service does both in the same database
 * round trip as the read, before anything is returned.
 */
type Method =
  | { readonly role: Role; readonly run: (ctx: Ctx) => Promise<ApiResponse> }
  | { readonly role: 'with-read'; readonly run: (ctx: ReadCtx) => Promise<ApiResponse> };

interface Route {
  readonly pattern: RegExp;
  readonly names: string[];
  readonly methods: Record<string, Method>;
  /** Key management or support grants: subject to the service's key-management rule. */
  readonly management?: 'keys' | 'support-grants';
}

const route = (path: string, methods: Route['methods']): Route => {
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_, n: string) => {
    names.push(n);
    return '([^/]+)';
  });
  return {
    pattern: new RegExp(`^${source}$`),
    names,
    methods,
    management: path.startsWith('/v1/spaces/{space}/keys')
      ? 'keys'
      : path.startsWith('/v1/spaces/{space}/support-grants')
        ? 'support-grants'
        : undefined,
  };
};

const parse = <S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> => {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new BadRequestError(`${where}${issue.message}`);
  }
  return r.data;
};

function jsonBody(req: ApiRequest): unknown {
  const body = req.body ?? '';
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new PayloadTooLargeError('1 MiB');
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new UnsupportedMediaTypeError();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadRequestError('The body is not valid JSON', 'invalid_json');
  }
  checkJsonValue(value);
  return value;
}

/** Parses `If-Match: 3` or `If-Match: "3"`; undefined when absent. */
function ifMatch(req: ApiRequest): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?([1-9][0-9]{0,9})"?\s*$/.exec(raw);
  const version = m ? Number(m[1]) : NaN;
  if (!(version <= MAX_VERSION))
    throw new BadRequestError('If-Match must be an entry version', 'invalid_if_match');
  return version;
}

/** ETag of one entry: its version, which changes with every change to it. */
const entryTag = (e: EntryDocument) => `"${e.version}"`;

/** ETag of a page: the ids and versions on it, and where it continues. */
const pageTag = (items: EntryDocument[], next: string | null) => {
  const hash = createHash('sha256');
  for (const e of items) hash.update(`${e.id}:${e.version};`);
  return `"${hash
    .update(next ?? '')
    .digest('base64url')
    .slice(0, 27)}"`;
};

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError('The path is not valid', 'invalid_path');
  }
};

/** What a support person's audit row records of a request: its method and path. */
const routeOf = (req: ApiRequest) => `${req.method} ${req.path}`;

const bearer = (req: ApiRequest): string | undefined => {
  const m = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
};

/**
 * The content API over any transport: routing, authentication, authorization,
 * input parsing and the mapping of results and errors to responses.
 */
export function createApi(service: ContentService, logError: ErrorLog) {
  // Ids are stored and audited in one form: lower case, as PostgreSQL prints a uuid.
  const entryId = (ctx: ReadCtx) => parse(uuidSchema, ctx.params.id).toLowerCase();
  const keyId = (ctx: Ctx) => parse(uuidSchema, ctx.params.keyId).toLowerCase();
  const grantId = (ctx: Ctx) => parse(uuidSchema, ctx.params.grantId).toLowerCase();

  /**
   * Published content may be cached; previews (drafts) never are. The body is the
   * entries' JSON as read, never parsed and serialized again.
   */
  const read = (text: string, tag: string, cacheable: boolean): ApiResponse =>
    jsonText(200, text, { 'Cache-Control': cacheable ? PUBLIC_CACHE : NO_STORE, ETag: tag });

  const routes: Route[] = [
    route('/v1/spaces/{space}/entries', {
      GET: {
        role: 'with-read',
        run: async (ctx) => {
          const q = parse(listEntriesQuerySchema, ctx.req.query);
          const preview = q.preview === 'true';
          const page = await service.readEntries(
            ctx.token,
            ctx.space,
            { ...q, preview },
            routeOf(ctx.req),
          );
          return read(
            `{"items":[${page.items.map((e) => e.json).join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`,
            pageTag(page.items, page.nextCursor),
            !preview,
          );
        },
      },
      POST: {
        role: 'write',
        run: async (ctx) => {
          const entry = await service.createEntry(
            ctx.principal,
            ctx.space,
            parse(newEntrySchema, jsonBody(ctx.req)),
          );
          return json(201, entry, { Location: `/v1/spaces/${ctx.space}/entries/${entry.id}` });
        },
      },
    }),
    route('/v1/spaces/{space}/entries/{id}', {
      GET: {
        role: 'with-read',
        run: async (ctx) => {
          const preview = parse(previewQuerySchema, ctx.req.query).preview === 'true';
          const entry = await service.readEntry(
            ctx.token,
            ctx.space,
            entryId(ctx),
            preview,
            routeOf(ctx.req),
          );
          return read(entry.json, entryTag(entry), !preview && entry.status === 'published');
        },
      },
      PUT: {
        role: 'write',
        run: async (ctx) => {
          const id = entryId(ctx);
          const version = ifMatch(ctx.req);
          if (version === undefined) throw new PreconditionRequiredError();
          const patch = parse(entryPatchSchema, jsonBody(ctx.req));
          return json(200, await service.updateEntry(ctx.principal, ctx.space, id, version, patch));
        },
      },
      DELETE: {
        role: 'write',
        run: async (ctx) => {
          await service.deleteEntry(ctx.principal, ctx.space, entryId(ctx), ifMatch(ctx.req));
          return json(204, undefined);
        },
      },
    }),
    route('/v1/spaces/{space}/entries/{id}/publish', {
      POST: {
        role: 'write',
        run: async (ctx) =>
          json(
            200,
            await service.publishEntry(ctx.principal, ctx.space, entryId(ctx), ifMatch(ctx.req)),
          ),
      },
    }),
    route('/v1/spaces/{space}/keys', {
      GET: {
        role: 'admin',
        run: async (ctx) => json(200, { items: await service.listKeys(ctx.space) }),
      },
      POST: {
        role: 'admin',
        run: async (ctx) =>
          json(
            201,
            await service.createKey(
              ctx.principal,
              ctx.space,
              parse(newKeySchema, jsonBody(ctx.req)),
            ),
          ),
      },
    }),
    route('/v1/spaces/{space}/keys/{keyId}', {
      DELETE: {
        role: 'admin',
        run: async (ctx) => {
          await service.revokeKey(ctx.principal, ctx.space, keyId(ctx));
          return json(204, undefined);
        },
      },
    }),
    route('/v1/spaces/{space}/keys/{keyId}/rotate', {
      POST: {
        role: 'admin',
        run: async (ctx) =>
          json(201, await service.rotateKey(ctx.principal, ctx.space, keyId(ctx))),
      },
    }),
    route('/v1/spaces/{space}/support-grants', {
      GET: {
        role: 'admin',
        run: async (ctx) =>
          json(
            200,
            await service.listSupportGrants(
              ctx.space,
              parse(supportGrantsQuerySchema, ctx.req.query),
            ),
          ),
      },
      POST: {
        role: 'admin',
        run: async (ctx) =>
          json(
            201,
            await service.grantSupport(
              ctx.principal,
              ctx.space,
              parse(newSupportGrantSchema, jsonBody(ctx.req)),
            ),
          ),
      },
    }),
    route('/v1/spaces/{space}/support-grants/{grantId}', {
      DELETE: {
        role: 'admin',
        run: async (ctx) => {
          await service.revokeSupport(ctx.principal, ctx.space, grantId(ctx));
          return json(204, undefined);
        },
      },
    }),
    route('/v1/spaces/{space}/audit-log', {
      GET: {
        role: 'admin',
        run: async (ctx) =>
          json(200, await service.auditLog(ctx.space, parse(auditQuerySchema, ctx.req.query))),
      },
    }),
  ];

  async function dispatch(req: ApiRequest): Promise<ApiResponse> {
    if (req.path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new MethodNotAllowedError(['GET', 'HEAD']);
      return json(200, { status: 'ok' });
    }
    for (const r of routes) {
      const m = r.pattern.exec(req.path);
      if (!m) continue;
      const handler = r.methods[req.method];
      if (!handler) throw new MethodNotAllowedError(Object.keys(r.methods));
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeSegment(m[i + 1])]));
      checkText(params, 'The path');
      checkText(req.query, 'The query parameter');
      const space = parse(spaceIdSchema, params.space);
      const token = bearer(req);
      if (handler.role === 'with-read') return handler.run({ req, space, params, token });
      const caller = await service.authenticate(token);
      const principal = await service.admit(caller, space, handler.role, routeOf(req));
      if (r.management) service.authorizeKeyManagement(principal, r.management);
      return handler.run({ req, space, params, token, principal });
    }
    throw new NotFoundError('No such route');
  }

  /** Handles one request; never throws. */
  return async function handle(req: ApiRequest): Promise<ApiResponse> {
    try {
      return await dispatch(req);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.internal) {
          logError('Input refused below the boundary', {
            method: req.method,
            path: req.path,
            status: err.status,
            ...err.internal,
          });
        }
        return json(err.status, { error: { code: err.code, message: err.message } }, err.headers);
      }
      const correlationId = randomUUID();
      logError('Unhandled error', {
        correlationId,
        method: req.method,
        path: req.path,
        error:
          err instanceof Error
            ? { name: err.name, message: err.message, stack: err.stack }
            : String(err),
      });
      return json(500, {
        error: {
          code: 'internal_error',
          message: `Something went wrong; reference ${correlationId}`,
        },
      });
    }
  };
}
