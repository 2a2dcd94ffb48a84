import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { connector } from '../../lambda/nightly-backup/connect';
import { kmsSigner } from '../../lambda/nightly-backup/kms-signer';
import { kmsVerifier } from '../../lambda/nightly-backup/kms-verifier';
import { RestoreError, type RestoreOptions } from '../../lambda/nightly-backup/restore';
import {
  type ManifestSigner,
  localKey,
  localSigner,
  localVerifier,
  signingKeyAlias,
} from '../../lambda/nightly-backup/signing';
import { requireCredentials } from './aws-credentials';

/**
 * An S3 client for the backup tools. With `endpoint` (an S3-compatible server for
 * local use and tests) it uses path-style addressing and, when none are set, local
 * placeholder credentials; without it, the normal AWS endpoint and credential chain,
 * and the tool stops with a clear message when no credentials are configured.
 */
export function backupS3Client(tool: string, endpoint: string | undefined): S3Client {
  // Never the metadata address, unless an instance role is asked for explicitly.
  if (process.env.AWS_EC2_METADATA_DISABLED !== 'false') {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  }
  if (!endpoint) {
    requireCredentials(tool);
    return new S3Client({});
  }
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
    },
  });
}

/** Connects a new client to `url` (one per export worker). */
export const connectTo = (url: string) => connector({ connectionString: url });

/** Progress lines on stderr at most once per second, and a final one. */
export function progressPrinter(format: (seconds: number) => string): {
  tick(): void;
  done(): void;
} {
  const start = Date.now();
  let last = 0;
  const print = () => process.stderr.write(`${format((Date.now() - start) / 1000)}\n`);
  return {
    tick() {
      if (Date.now() - last >= 1000) {
        last = Date.now();
        print();
      }
    },
    done: print,
  };
}

/** Megabytes with one decimal. */
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** How `backup` signs: a local key with `--endpoint`, else the stage's KMS HMAC key. */
export function backupSigner(
  endpoint: string | undefined,
  stage: string,
  signingKey: string | undefined,
): ManifestSigner {
  if (endpoint) {
    const { key, keyId } = localKey();
    return localSigner(key, keyId);
  }
  return kmsSigner(new KMSClient({}), signingKey ?? `alias/${signingKeyAlias(stage)}`);
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What `restore` verifies with: with `--endpoint`, the local key; else the KMS key
 * given (`--signing-key`), or the alias of the manifest's stage in the caller's own
 * account and region. Never a key the manifest names.
 */
export function restoreVerifier(
  endpoint: string | undefined,
  signingKey: string | undefined,
): RestoreOptions['verifier'] {
  if (endpoint) {
    const { key, keyId } = localKey();
    return localVerifier(key, keyId);
  }
  const kms = new KMSClient({});
  if (signingKey) return kmsVerifier(kms, signingKey);
  return (manifest) => {
    if (!STAGE_NAME.test(manifest.stage)) {
      throw new RestoreError(
        `The manifest's stage ${JSON.stringify(manifest.stage)} names no signing key; pass --signing-key`,
      );
    }
    return kmsVerifier(kms, `alias/${signingKeyAlias(manifest.stage)}`);
  };
}
