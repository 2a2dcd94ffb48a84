import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Authenticity of a backup manifest (BACKUP.md): a MAC over its canonical content,
 * made with a key only the backup may use for signing (a KMS HMAC key when deployed;
 * locally, with `--endpoint`, `BACKUP_SIGNING_KEY` or a fixed local key).
 *
 * The signed bytes: the manifest without its `signature` field, serialized as
 * canonical JSON (see {@link canonicalJson}), hashed with SHA-256; the MAC input is
 * the ASCII string `bulwark-backup/1 manifest sha256:<64 lowercase hex digits>`. The
 * hash keeps the message within KMS's 4,096-byte limit for GenerateMac whatever the
 * number of objects; the prefix keeps the key's MACs over manifests apart from any
 * other message.
 */

/** The only MAC algorithm manifests are signed with (KMS `MacAlgorithm`). */
export const MAC_ALGORITHM = 'HMAC_SHA_256';

/** The `signature` field of a manifest. */
export interface ManifestSignature {
  readonly algorithm: typeof MAC_ALGORITHM;
  /** The KMS key's ARN, or `local:BACKUP_SIGNING_KEY` / `local:default` for local keys. */
  readonly keyId: string;
  /** The MAC, base64. */
  readonly value: string;
}

/** Makes MACs over signing messages. */
export interface ManifestSigner {
  sign(message: Buffer): Promise<{ readonly keyId: string; readonly mac: Uint8Array }>;
}

/**
 * Verifies a MAC over a signing message with the key the caller trusts (never one
 * the manifest names); rejects, naming why, when the MAC is not valid.
 */
export interface ManifestVerifier {
  /** What the verifier checks with, for messages: `the local default key`, a KMS key id. */
  readonly description: string;
  verify(message: Buffer, signature: ManifestSignature): Promise<void>;
}

/** A signature that does not verify: the manifest is not authentic. */
export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

/**
 * Canonical JSON of a parsed JSON value: object keys sorted by UTF-16 code units
 * (JavaScript's default sort) at every level, arrays in order, no whitespace,
 * strings and numbers as `JSON.stringify` writes them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error('A manifest holds only finite numbers');
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`A manifest holds no ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** The MAC input of a manifest (its `signature` field, if any, left out). */
export function signingMessage(manifest: object): Buffer {
  const rest = { ...(manifest as Record<string, unknown>) };
  delete rest.signature;
  const digest = createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
  return Buffer.from(`bulwark-backup/1 manifest sha256:${digest}`, 'ascii');
}

/** Signs `manifest` with `signer`: the manifest with its `signature` field. */
export async function signManifest<T extends object>(
  manifest: T,
  signer: ManifestSigner,
): Promise<T & { signature: ManifestSignature }> {
  const { keyId, mac } = await signer.sign(signingMessage(manifest));
  return {
    ...manifest,
    signature: { algorithm: MAC_ALGORITHM, keyId, value: Buffer.from(mac).toString('base64') },
  };
}

/** Alias (without `alias/`) of a stage's manifest signing key in KMS. */
export const signingKeyAlias = (stage: string) => `bulwark-${stage}-backup-signing`;

/** Environment variable of the local signing key (used with `--endpoint` only). */
export const SIGNING_KEY_ENV = 'BACKUP_SIGNING_KEY';

/**
 * Key of local backups when `BACKUP_SIGNING_KEY` is unset. Not a secret: it only
 * makes local backups and restores work without AWS; deployed backups are signed in
 * KMS, and restore without `--endpoint` never accepts a local key.
 */
export const LOCAL_SIGNING_KEY = 'bulwark-local-backup-signing-key';

/** The local key: `BACKUP_SIGNING_KEY`, or the fixed local default. */
export function localKey(env: NodeJS.ProcessEnv = process.env): {
  readonly key: Buffer;
  readonly keyId: string;
} {
  const fromEnv = env[SIGNING_KEY_ENV];
  return fromEnv
    ? { key: Buffer.from(fromEnv, 'utf8'), keyId: `local:${SIGNING_KEY_ENV}` }
    : { key: Buffer.from(LOCAL_SIGNING_KEY, 'utf8'), keyId: 'local:default' };
}

/** HMAC-SHA-256 with a local key. */
export function localSigner(key: Buffer, keyId: string): ManifestSigner {
  return {
    sign: async (message) => ({ keyId, mac: createHmac('sha256', key).update(message).digest() }),
  };
}

const LOCAL_NAMES: Record<string, string> = {
  'local:default': 'the local default key',
  [`local:${SIGNING_KEY_ENV}`]: `the key in ${SIGNING_KEY_ENV}`,
};

/** Verifies HMAC-SHA-256 with a local key; refuses a manifest signed in KMS. */
export function localVerifier(key: Buffer, keyId: string): ManifestVerifier {
  const description = LOCAL_NAMES[keyId] ?? keyId;
  return {
    description,
    async verify(message, signature) {
      if (!signature.keyId.startsWith('local:')) {
        throw new SignatureError(
          `the manifest is signed with KMS key ${signature.keyId}; a local restore (--endpoint) verifies only local keys`,
        );
      }
      const expected = createHmac('sha256', key).update(message).digest();
      const given = Buffer.from(signature.value, 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        const hint =
          signature.keyId !== keyId
            ? ` (it names ${LOCAL_NAMES[signature.keyId] ?? signature.keyId})`
            : '';
        throw new SignatureError(
          `the manifest signature does not verify with ${description}${hint}: the manifest or an object it lists was changed after the backup`,
        );
      }
    },
  };
}
