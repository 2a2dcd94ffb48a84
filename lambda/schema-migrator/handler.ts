import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { Pool } from 'pg';
import {
  ensureAppRole,
  ensureOperatorRole,
  ensureOutboxRole,
  ensureReadOnlyRole,
  migrate,
} from '../shared/content-schema/migrate';
import { requireEnv } from '../shared/env';

const logger = new Logger({ serviceName: 'schema-migrator' });
const secretArn = requireEnv(process.env, 'DB_SECRET_ARN');
const database = requireEnv(process.env, 'DB_NAME');
const appRoles = requireEnv(process.env, 'APP_DB_USERS').split(',');
const readOnlyRoles = requireEnv(process.env, 'READ_ONLY_DB_USERS').split(',');
const outboxRoles = (process.env.OUTBOX_DB_USERS ?? '').split(',').filter(Boolean);
const operatorRoles = (process.env.OPERATOR_DB_USERS ?? '').split(',').filter(Boolean);
const secrets = new SecretsManagerClient({});

/**
 * Runs on every deploy whose code changed (a CDK trigger): applies pending
 * migrations as the master user, then ensures the application's IAM-authenticated
 * login roles. Fails the deployment on any error.
 */
export async function handler(): Promise<{ applied: string[] }> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const { host, port, username, password } = JSON.parse(secret.SecretString ?? '{}');
  const pool = new Pool({
    host,
    port: Number(port ?? 5432),
    user: username,
    password,
    database,
    max: 1,
    ssl: { rejectUnauthorized: true },
  });
  try {
    const applied = await migrate(pool);
    for (const role of appRoles) await ensureAppRole(pool, role);
    for (const role of readOnlyRoles) await ensureReadOnlyRole(pool, role);
    for (const role of outboxRoles) await ensureOutboxRole(pool, role);
    for (const role of operatorRoles) {
      const { audited } = await ensureOperatorRole(pool, role);
      if (!audited) {
        logger.warn(
          'pgaudit is not loaded: the operator role may not log in until it is. Reboot the instance to apply its parameter group, then run this function again',
          { role },
        );
      }
    }
    logger.info('Schema up to date', {
      applied,
      roles: appRoles,
      readOnlyRoles,
      outboxRoles,
      operatorRoles,
    });
    return { applied };
  } finally {
    await pool.end();
  }
}
