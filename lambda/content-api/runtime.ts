import { Pool, type PoolConfig } from 'pg';
import { requireEnv } from '../shared/env';
import { createApi, type ErrorLog } from './api';
import { PgContentStore } from './adapters/pg-store';
import { LogInvalidator, SqsInvalidator } from './adapters/invalidators';
import { ContentService } from './domain/service';
import type { ApiRequest, ApiResponse } from './http';

/** Pool settings from the environment: a URL (local), or the RDS Proxy with IAM auth. */
export function poolConfig(env: NodeJS.ProcessEnv): PoolConfig {
  const base: PoolConfig = {
    max: Number(env.DB_POOL_MAX ?? 4),
    idleTimeoutMillis: 60_000,
    connectionTimeoutMillis: 5_000,
  };
  if (env.DATABASE_URL) return { ...base, connectionString: env.DATABASE_URL };
  const host = requireEnv(env, 'DB_PROXY_ENDPOINT');
  const user = requireEnv(env, 'DB_USER');
  const port = Number(env.DB_PORT ?? 5432);
  const region = requireEnv(env, 'AWS_REGION');
  // AWS SDK modules load on first connection, not at cold start.
  let signer: Promise<{ getAuthToken(): Promise<string> }> | undefined;
  return {
    ...base,
    host,
    port,
    user,
    database: requireEnv(env, 'DB_NAME'),
    password: async () => {
      signer ??= import('@aws-sdk/rds-signer').then(
        ({ Signer }) => new Signer({ hostname: host, port, username: user, region }),
      );
      return (await signer).getAuthToken();
    },
    ssl: { rejectUnauthorized: true },
  };
}

/** The API key pepper: `API_KEY_PEPPER` locally, or a Secrets Manager secret, read once. */
function pepperSource(env: NodeJS.ProcessEnv): () => Promise<Buffer> {
  if (env.API_KEY_PEPPER) {
    const pepper = Buffer.from(env.API_KEY_PEPPER, 'utf8');
    return async () => pepper;
  }
  const arn = requireEnv(env, 'API_KEY_PEPPER_SECRET_ARN');
  let cached: Promise<Buffer> | undefined;
  return () =>
    (cached ??= import('@aws-sdk/client-secrets-manager')
      .then(({ SecretsManagerClient, GetSecretValueCommand }) =>
        new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn })),
      )
      .then((r) => {
        if (!r.SecretString) throw new Error('The API key pepper secret is empty');
        return Buffer.from(r.SecretString, 'utf8');
      })
      .catch((err) => {
        cached = undefined;
        throw err;
      }));
}

/** Everything one process needs to serve the API. */
export interface Runtime {
  handle(req: ApiRequest): Promise<ApiResponse>;
  readonly pool: Pool;
  close(): Promise<void>;
}

/** Builds pools, adapters and the service from the environment. Makes no network call. */
export function createRuntime(
  env: NodeJS.ProcessEnv,
  logs: { error: ErrorLog; info: (message: string, detail: Record<string, unknown>) => void },
  now: () => Date = () => new Date(),
): Runtime {
  const pool = new Pool(poolConfig(env));
  // An idle client dropped by the server (failover, proxy idle timeout) is discarded
  // by the pool; without a listener its error would end the process.
  pool.on('error', (err) => logs.info('Idle database connection closed', { error: err.message }));
  const invalidator = env.INVALIDATION_QUEUE_URL
    ? new SqsInvalidator(env.INVALIDATION_QUEUE_URL)
    : new LogInvalidator((message, paths) => logs.info(message, { paths }));
  const pepper = pepperSource(env);
  const grace = Number(env.KEY_ROTATION_GRACE_SECONDS ?? 86_400);
  if (!Number.isInteger(grace) || grace < 0)
    throw new Error('KEY_ROTATION_GRACE_SECONDS must be a whole number ≥ 0');
  let api: ((req: ApiRequest) => Promise<ApiResponse>) | undefined;
  return {
    pool,
    async handle(req) {
      if (!api) {
        const service = new ContentService({
          store: new PgContentStore(pool),
          invalidator,
          pepper: await pepper(),
          rotationGraceSeconds: grace,
          now,
        });
        api = createApi(service, logs.error);
      }
      return api(req);
    },
    async close() {
      await pool.end();
    },
  };
}
