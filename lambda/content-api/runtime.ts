import { Pool } from 'pg';
import { poolConfig } from '../shared/db';
import { requireEnv } from '../shared/env';
import { createApi, type ErrorLog } from './api';
import { PgContentStore } from './adapters/pg-store';
import { LogInvalidator, SqsInvalidator } from './adapters/invalidators';
import type { KeyManagement, PersonVerifier } from './domain/people';
import { ContentService } from './domain/service';
import type { ApiRequest, ApiResponse } from './http';

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

/**
 * People's sign-in, when the user pool is configured (`PEOPLE_USER_POOL_ID`,
 * `PEOPLE_CLIENT_ID` and its public keys in `PEOPLE_JWKS`); otherwise keys only.
 */
export function peopleFrom(env: NodeJS.ProcessEnv): PersonVerifier | undefined {
  if (!env.PEOPLE_USER_POOL_ID) return undefined;
  let jwks;
  try {
    jwks = JSON.parse(requireEnv(env, 'PEOPLE_JWKS'));
  } catch (err) {
    throw new Error(`PEOPLE_JWKS must hold the user pool's JWKS: ${(err as Error).message}`);
  }
  if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) {
    throw new Error('PEOPLE_JWKS must hold the user pool\'s JWKS ({"keys": [...]})');
  }
  const pool = {
    userPoolId: env.PEOPLE_USER_POOL_ID,
    clientId: requireEnv(env, 'PEOPLE_CLIENT_ID'),
    jwks,
  };
  // Loaded with the first person's token: key-only traffic never compiles the verifier.
  let verifier: Promise<PersonVerifier> | undefined;
  return {
    async verify(token) {
      verifier ??= import('./adapters/cognito-people').then((m) => m.cognitoPeople(pool));
      return (await verifier).verify(token);
    },
  };
}

/** `KEY_MANAGEMENT`: `people` (only people with the admin role) or `admins` (default). */
export function keyManagementFrom(env: NodeJS.ProcessEnv): KeyManagement {
  const v = env.KEY_MANAGEMENT ?? 'admins';
  if (v !== 'admins' && v !== 'people') {
    throw new Error(`KEY_MANAGEMENT must be 'admins' or 'people', not ${JSON.stringify(v)}`);
  }
  return v;
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
  const people = peopleFrom(env);
  const keyManagement = keyManagementFrom(env);
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
          people,
          keyManagement,
          onInvalidationDeferred: (detail) =>
            logs.info('CDN invalidation left to the outbox drainer', detail),
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
