import { createHash, verify, type KeyObject } from 'node:crypto';
import type { VerifyingKey } from './signing-key.js';

/** `local:` and the first 16 hex digits of the SHA-256 of the key's SPKI bytes. */
export function keyFingerprint(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return `local:${createHash('sha256').update(spki).digest('hex').slice(0, 16)}`;
}

/** Verifies ECDSA_SHA_256 signatures (DER) with an EC P-256 public key, in process. */
export function publicKeyVerifier(
  publicKey: KeyObject,
  keyId: string = keyFingerprint(publicKey),
): VerifyingKey {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ec') {
    throw new TypeError(
      `expected an EC public key, got a ${publicKey.type} ${publicKey.asymmetricKeyType} key`,
    );
  }
  return {
    keyId,
    verify: async (message, signature) => {
      try {
        return verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature);
      } catch {
        // A malformed signature (not DER) is a bad signature, not a crash.
        return false;
      }
    },
  };
}
