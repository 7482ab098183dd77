/**
 * Who published a model. A training run signs each version's manifest.json (the sha256 and size of every
 * file) with a key only it can use, and serving verifies that signature before it reads anything else of
 * the version: whoever can write objects under the models prefix, but cannot use the key, cannot get
 * bytes of their choice served.
 *
 * The signature is ECDSA P-256 over SHA-256 of the manifest's exact bytes, DER-encoded: what AWS KMS's
 * ECDSA_SHA_256 gives for an ECC_NIST_P256 key, and what node:crypto verifies with the key's public half.
 */
export const SIGNING_ALGORITHM = 'ECDSA_SHA_256' as const;

/** A key that verifies signatures; a signing key also makes them. */
export interface VerifyingKey {
  /** Names the key in manifest.sig, for a reader's messages (a KMS key ARN, or `local:<fingerprint>`). */
  readonly keyId: string;
  /** True when `signature` is this key's signature of `message`. */
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export interface SigningKey extends VerifyingKey {
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The signing key is missing, unreadable or refused its use; the message says which and what to set. */
export class SigningKeyError extends Error {
  public override name = 'SigningKeyError';
}
