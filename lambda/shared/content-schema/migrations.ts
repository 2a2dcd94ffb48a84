/**
 * The content schema, as ordered migrations. Each runs once, in one transaction,
 * and is recorded in `schema_migrations`; names sort in the order they apply.
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: '0001_spaces_and_entries',
    sql: `
      CREATE TABLE spaces (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE entries (
        id uuid PRIMARY KEY,
        space_id text NOT NULL REFERENCES spaces (id),
        content_type text NOT NULL,
        slug text NOT NULL,
        fields jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'published')),
        version integer NOT NULL CHECK (version > 0),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        published_at timestamptz,
        UNIQUE (space_id, content_type, slug)
      );
      CREATE INDEX entries_listing ON entries (space_id, created_at, id);
    `,
  },
  {
    name: '0002_api_keys',
    sql: `
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        space_id text NOT NULL REFERENCES spaces (id),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('read', 'write', 'admin')),
        key_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_space ON api_keys (space_id, created_at, id);
    `,
  },
  {
    name: '0003_audit_log',
    sql: `
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        space_id text NOT NULL REFERENCES spaces (id),
        at timestamptz NOT NULL,
        key_id uuid,
        action text NOT NULL,
        target text NOT NULL
      );
      CREATE INDEX audit_log_space ON audit_log (space_id, id);
    `,
  },
  {
    name: '0004_audit_log_subject',
    sql: `
      -- A person's writes are audited by their user-pool subject instead of a key id.
      ALTER TABLE audit_log ADD COLUMN subject text;
    `,
  },
  {
    name: '0005_audit_actor_and_invalidation_outbox',
    sql: `
      -- Every audit row names exactly one actor: a key, or a subject (a person, or
      -- operator:<name> for an operator's tool). Rows written before keep their form.
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_one_actor
        CHECK (num_nonnulls(key_id, subject) = 1) NOT VALID;
      -- CDN paths to invalidate, written in the transaction of the change that needs
      -- them and removed once sent (by the API at once, or by the outbox drainer).
      CREATE TABLE invalidation_outbox (
        id bigserial PRIMARY KEY,
        space_id text NOT NULL REFERENCES spaces (id),
        paths text[] NOT NULL CHECK (cardinality(paths) > 0),
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text
      );
      CREATE INDEX invalidation_outbox_due ON invalidation_outbox (next_attempt_at, id);
    `,
  },
  {
    name: '0006_support_grants',
    sql: `
      -- A space's admin lets support people in, for a reason and a few hours, with at
      -- most the write role. Grants are never deleted: revoking one stamps it.
      CREATE TABLE support_grants (
        id uuid PRIMARY KEY,
        space_id text NOT NULL REFERENCES spaces (id),
        reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
        role text NOT NULL CHECK (role IN ('read', 'write')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
          CHECK (expires_at > created_at AND expires_at <= created_at + interval '72 hours'),
        granted_by_key uuid,
        granted_by_subject text,
        revoked_at timestamptz,
        revoked_by_key uuid,
        revoked_by_subject text,
        uses bigint NOT NULL DEFAULT 0,
        last_used_at timestamptz,
        CONSTRAINT support_grants_one_grantor
          CHECK (num_nonnulls(granted_by_key, granted_by_subject) = 1),
        CONSTRAINT support_grants_revoker
          CHECK (num_nonnulls(revoked_by_key, revoked_by_subject) = (revoked_at IS NOT NULL)::int)
      );
      CREATE INDEX support_grants_space ON support_grants (space_id, created_at DESC, id);
      -- A support person's audit rows name the grant they acted under.
      ALTER TABLE audit_log ADD COLUMN grant_id uuid REFERENCES support_grants (id);
    `,
  },
];

/** Version of the newest migration: what a fully migrated database holds. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].name;
