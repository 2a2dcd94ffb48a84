import { userInfo } from 'node:os';
import type { Pool } from 'pg';
import { migrate } from '../../lambda/shared/content-schema/migrate';
import { PgContentStore } from '../../lambda/content-api/adapters/pg-store';
import { hashKey, looksLikeKey } from '../../lambda/content-api/domain/api-keys';
import { spaceIdSchema } from '../../lambda/content-api/domain/schemas';
import { OPERATOR_NAME, type Operator } from '../../lambda/content-api/domain/model';
import { ContentService } from '../../lambda/content-api/domain/service';

/** Pepper of key hashes for local use; deployed stages read theirs from Secrets Manager. */
export const LOCAL_PEPPER = 'bulwark-local-development-pepper';

/** The pepper operators use: `API_KEY_PEPPER`, or the local one. */
export const operatorPepper = (env: NodeJS.ProcessEnv = process.env): Buffer =>
  Buffer.from(env.API_KEY_PEPPER ?? LOCAL_PEPPER, 'utf8');

/** A problem an operator can fix; printed without a stack trace. */
export class OperatorError extends Error {}

const service = (pool: Pool, pepper: Buffer) =>
  new ContentService({
    store: new PgContentStore(pool),
    invalidator: { invalidate: async () => undefined },
    pepper,
    rotationGraceSeconds: 0,
    now: () => new Date(),
  });

/**
 * Who runs an operator's tool, as the audit log names them (`operator:<name>`):
 * `BULWARK_OPERATOR`, or the user name of the process.
 */
export function operatorFrom(env: NodeJS.ProcessEnv = process.env): Operator {
  const name = env.BULWARK_OPERATOR ?? userInfo().username;
  if (!OPERATOR_NAME.test(name)) {
    throw new OperatorError(
      `BULWARK_OPERATOR must name who acts (${OPERATOR_NAME.source}), not ${JSON.stringify(name)}`,
    );
  }
  return { kind: 'operator', name };
}

/** Checks an operator-supplied key (it must look like a Bulwark key). */
export function checkKey(key: string, source: string): string {
  if (!looksLikeKey(key)) {
    throw new OperatorError(
      `${source} must look like a Bulwark key: bwk_ followed by 43 base64url characters`,
    );
  }
  return key;
}

/**
 * Runs the migrations, creates the space and mints its first admin key (the given
 * one, or a new one), both audited under the operator (`operator:<name>`). With `existingOk`, an existing space is kept and the key is
 * only added when it is not there yet.
 */
export async function createSpaceWithAdmin(
  pool: Pool,
  spaceId: string,
  pepper: Buffer,
  options: { key?: string; existingOk?: boolean; operator?: Operator } = {},
): Promise<{ key: string; created: boolean }> {
  const parsed = spaceIdSchema.safeParse(spaceId);
  if (!parsed.success)
    throw new OperatorError(`space '${spaceId}' is invalid: ${parsed.error.issues[0].message}`);
  const operator = options.operator ?? operatorFrom();
  await migrate(pool);
  const created = await service(pool, pepper).createSpace(operator, spaceId);
  if (!created && !options.existingOk) throw new OperatorError(`space '${spaceId}' already exists`);
  if (options.key) {
    const known = await new PgContentStore(pool).findKeyByHash(hashKey(options.key, pepper));
    if (known) {
      if (known.spaceId !== spaceId || known.role !== 'admin') {
        throw new OperatorError('the given admin key is already in use elsewhere');
      }
      return { key: options.key, created };
    }
  }
  const minted = await service(pool, pepper).createKey(
    operator,
    spaceId,
    { name: 'bootstrap admin', role: 'admin' },
    options.key,
  );
  return { key: minted.key, created };
}
