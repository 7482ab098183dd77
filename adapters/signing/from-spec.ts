import { resolve } from 'node:path';
import { kmsSigningKey, kmsVerifyingKey } from './kms-key.js';
import { localSigningKey, localVerifyingKey } from './local-keys.js';
import { SigningKeyError, type SigningKey, type VerifyingKey } from './signing-key.js';

/**
 * The signing key a configuration names (storage.signing_key, or MODEL_SIGNING_KEY):
 *  - `kms:<key ARN>`: an AWS KMS key (the deployed stack's);
 *  - `file:<folder>`: the local key pair in that folder (ensureLocalKeyPair), relative to the working
 *    folder unless absolute.
 */
export function verifyingKeyFrom(spec: string | null): VerifyingKey {
  const parsed = parse(spec);
  return parsed.kind === 'kms' ? kmsVerifyingKey(parsed.value) : localVerifyingKey(resolve(parsed.value));
}

export function signingKeyFrom(spec: string | null): SigningKey {
  const parsed = parse(spec);
  return parsed.kind === 'kms' ? kmsSigningKey(parsed.value) : localSigningKey(resolve(parsed.value));
}

/** The folder of a `file:` key spec (resolved), null for any other: where the local stack keeps its pair. */
export function localKeyFolder(spec: string | null): string | null {
  const match = /^file:(.+)$/.exec(spec?.trim() ?? '');
  return match === null ? null : resolve(match[1] as string);
}

function parse(spec: string | null): { kind: 'kms' | 'file'; value: string } {
  if (spec === null || spec.trim() === '') {
    throw new SigningKeyError(
      'No model signing key: set storage.signing_key (or MODEL_SIGNING_KEY) to kms:<key ARN> or file:<folder>. ' +
        'Serving refuses every version it cannot verify, and training publishes none it cannot sign.',
    );
  }
  const match = /^(kms|file):(.+)$/.exec(spec.trim());
  if (match === null) {
    throw new SigningKeyError(`storage.signing_key "${spec}": expected kms:<key ARN> or file:<folder>`);
  }
  return { kind: match[1] as 'kms' | 'file', value: match[2] as string };
}
