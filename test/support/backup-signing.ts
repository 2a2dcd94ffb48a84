import { localKey, localSigner, localVerifier } from '../../lambda/nightly-backup/signing';

/** Signer and verifier with the local default key, as the CLIs use with `--endpoint`. */
export function localSigning(env: NodeJS.ProcessEnv = {}) {
  const { key, keyId } = localKey(env);
  return { signer: localSigner(key, keyId), verifier: localVerifier(key, keyId) };
}
