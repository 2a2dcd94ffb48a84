import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { MAC_ALGORITHM, type ManifestSigner } from './signing';

/**
 * Signs manifests with a KMS HMAC key (`kms:GenerateMac`, HMAC_SHA_256): the MAC
 * never leaves KMS's key material, and only the backup function's role may ask for
 * one. The signature records the key ARN KMS reports.
 */
export function kmsSigner(kms: KMSClient, keyId: string): ManifestSigner {
  return {
    async sign(message) {
      const r = await kms.send(
        new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: MAC_ALGORITHM }),
      );
      if (!r.Mac || r.MacAlgorithm !== MAC_ALGORITHM) {
        throw new Error(`KMS returned no ${MAC_ALGORITHM} MAC for key ${keyId}`);
      }
      return { keyId: r.KeyId ?? keyId, mac: r.Mac };
    },
  };
}
