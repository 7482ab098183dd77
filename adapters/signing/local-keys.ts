import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFingerprint, publicKeyVerifier } from './public-key.js';
import { SigningKeyError, type SigningKey, type VerifyingKey } from './signing-key.js';

/** The private half: readable by its owner only. */
export const PRIVATE_KEY_FILE = 'model-signing.key.pem';
export const PUBLIC_KEY_FILE = 'model-signing.pub.pem';

/**
 * A P-256 key pair in `dir`, created on first use: what the local stack and the tests sign with. The
 * folder is outside the bucket's data folder, so that nothing that writes objects can replace the key.
 */
export function ensureLocalKeyPair(dir: string): { privateKeyFile: string; publicKeyFile: string } {
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(privateKeyFile, 0o600);
    writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKeyFile, publicKeyFile };
}

function readKey<T>(file: string, what: string, parse: (pem: string) => T): T {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`cannot read the ${what} ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return parse(pem);
  } catch (error) {
    throw new SigningKeyError(`${file} is not a PEM ${what}: ${(error as Error).message}`, { cause: error });
  }
}

/** The local public key of `dir` (PUBLIC_KEY_FILE): what serving verifies with. */
export function localVerifyingKey(dir: string): VerifyingKey {
  const publicKey = readKey(join(dir, PUBLIC_KEY_FILE), 'public key', (pem) => createPublicKey(pem));
  return publicKeyVerifier(publicKey);
}

/** The local key pair of `dir`: what a local training run signs with. */
export function localSigningKey(dir: string): SigningKey {
  const privateKey: KeyObject = readKey(join(dir, PRIVATE_KEY_FILE), 'private key', (pem) =>
    createPrivateKey(pem),
  );
  const publicKey = createPublicKey(privateKey);
  const verifier = publicKeyVerifier(publicKey, keyFingerprint(publicKey));
  return {
    ...verifier,
    sign: async (message) => sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }),
  };
}
