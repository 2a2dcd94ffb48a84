import { type KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { MAC_ALGORITHM, type ManifestVerifier, SignatureError } from './signing';

/**
 * Verifies manifests with a KMS HMAC key (`kms:VerifyMac`) that the caller names,
 * never the key the manifest names: a manifest signed with any other key (another
 * account's, a local one) does not verify. KMS answers an invalid MAC with
 * `KMSInvalidMacException`.
 */
export function kmsVerifier(kms: KMSClient, keyId: string): ManifestVerifier {
  return {
    description: `KMS key ${keyId}`,
    async verify(message, signature) {
      if (signature.keyId.startsWith('local:')) {
        throw new SignatureError(
          `the manifest is signed with a local key (${signature.keyId}), not in KMS; deployed backups are signed in KMS (a local backup restores with --endpoint)`,
        );
      }
      let valid: boolean | undefined;
      try {
        const r = await kms.send(
          new VerifyMacCommand({
            KeyId: keyId,
            Message: message,
            Mac: Buffer.from(signature.value, 'base64'),
            MacAlgorithm: MAC_ALGORITHM,
          }),
        );
        valid = r.MacValid;
      } catch (err) {
        if ((err as Error).name !== 'KMSInvalidMacException') {
          throw new SignatureError(
            `the manifest signature cannot be checked with KMS key ${keyId}: ${(err as Error).message}`,
          );
        }
      }
      if (valid !== true) {
        throw new SignatureError(
          `the manifest signature does not verify with KMS key ${keyId} (it names ${signature.keyId}): the manifest or an object it lists was changed after the backup, or another key signed it`,
        );
      }
    },
  };
}
