import type { PoolConfig } from 'pg';
import { requireEnv } from './env';

/**
 * Connection settings from the environment: a URL (local), or the RDS Proxy with IAM
 * auth (a fresh token per connection) and verified TLS. Usable by a Pool or a Client.
 */
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
