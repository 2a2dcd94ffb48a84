import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  GenerateMacCommand,
  KMSClient,
  KMSInvalidMacException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * KMS has no local server: GenerateMac and VerifyMac are answered as the AWS KMS API
 * reference documents them (GenerateMac: `Mac`, `KeyId`, `MacAlgorithm`; VerifyMac:
 * `MacValid`, `KeyId`, `MacAlgorithm`, or `KMSInvalidMacException` for a MAC that does
 * not verify), with real HMAC-SHA-256 over the key material of one HMAC_256 key.
 */
export const SIGNING_KEY_ARN =
  'arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const keyMaterial = Buffer.from('test HMAC_256 key material, 32B.', 'utf8');
/** Every KMSClient of the process, answered by {@link answerKms}. */
export const kms = mockClient(KMSClient);
/** HMAC-SHA-256 with the fake key's material. */
export const hmac = (message: Uint8Array) =>
  createHmac('sha256', keyMaterial).update(message).digest();
const knownKey = (keyId: string | undefined) =>
  keyId === SIGNING_KEY_ARN || keyId === 'alias/bulwark-test-backup-signing';
const notFound = (keyId?: string) =>
  Object.assign(new Error(`Key '${keyId}' does not exist`), {
    name: 'NotFoundException',
    $metadata: { httpStatusCode: 400 },
  });
/** (Re)sets the fake: GenerateMac and VerifyMac as documented, for the one key. */
export function answerKms() {
  kms.reset();
  kms.on(GenerateMacCommand).callsFake((input) => {
    if (!knownKey(input.KeyId)) throw notFound(input.KeyId);
    expect(input.MacAlgorithm).toBe('HMAC_SHA_256');
    return {
      Mac: new Uint8Array(hmac(input.Message)),
      KeyId: SIGNING_KEY_ARN,
      MacAlgorithm: 'HMAC_SHA_256',
    };
  });
  kms.on(VerifyMacCommand).callsFake((input) => {
    if (!knownKey(input.KeyId)) throw notFound(input.KeyId);
    const expected = hmac(input.Message);
    const mac = Buffer.from(input.Mac);
    if (
      input.MacAlgorithm !== 'HMAC_SHA_256' ||
      mac.length !== expected.length ||
      !timingSafeEqual(mac, expected)
    ) {
      throw new KMSInvalidMacException({
        message: 'Invalid MAC',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return { KeyId: SIGNING_KEY_ARN, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' };
  });
}
