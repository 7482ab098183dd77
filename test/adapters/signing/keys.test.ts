import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { p256 } from '@noble/curves/nist.js';
import { signingKeyFrom, verifyingKeyFrom } from '../../../adapters/signing/from-spec.js';
import { kmsSigningKey, kmsVerifyingKey } from '../../../adapters/signing/kms-key.js';
import {
  PRIVATE_KEY_FILE,
  ensureLocalKeyPair,
  localSigningKey,
  localVerifyingKey,
} from '../../../adapters/signing/local-keys.js';
import { SigningKeyError } from '../../../adapters/signing/signing-key.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function keyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keys-'));
  dirs.push(dir);
  ensureLocalKeyPair(dir);
  return dir;
}

const MESSAGE = new TextEncoder().encode('{"schema_version":1,"pair":"BTC/USDT"}\n');

describe('local key pair', () => {
  it('signs, and verifies only its own signatures of the exact bytes', async () => {
    const dir = keyDir();
    const key = localSigningKey(dir);
    const signature = await key.sign(MESSAGE);

    assert.equal(await localVerifyingKey(dir).verify(MESSAGE, signature), true);
    assert.equal(await key.verify(Uint8Array.from([...MESSAGE, 32]), signature), false, 'altered');
    assert.equal(await localVerifyingKey(keyDir()).verify(MESSAGE, signature), false, 'another key');
    assert.equal(await key.verify(MESSAGE, new Uint8Array([1, 2, 3])), false, 'not a signature');
    assert.match(key.keyId, /^local:[0-9a-f]{16}$/);
  });

  it('keeps the private key readable by its owner only, and makes it once', () => {
    const dir = keyDir();
    const file = join(dir, PRIVATE_KEY_FILE);
    assert.equal(statSync(file).mode & 0o077, 0);
    const before = statSync(file).mtimeMs;
    ensureLocalKeyPair(dir);
    assert.equal(statSync(file).mtimeMs, before);
  });

  it('is named by storage.signing_key, and no key stops with what to set', () => {
    const dir = keyDir();
    assert.equal(signingKeyFrom(`file:${dir}`).keyId, localSigningKey(dir).keyId);
    assert.equal(verifyingKeyFrom(`file:${dir}`).keyId, localSigningKey(dir).keyId);
    assert.throws(() => verifyingKeyFrom(null), /No model signing key: set storage\.signing_key/);
    assert.throws(() => signingKeyFrom('vault:x'), SigningKeyError);
    assert.throws(() => verifyingKeyFrom(`file:${join(dir, 'missing')}`), /cannot read the public key/);
  });
});

/**
 * KMS's Sign and GetPublicKey answered by a P-256 key held here, as KMS answers them: DER SPKI public key,
 * DER ECDSA signature of the given SHA-256 digest. What is under test is the adapter's use of the API.
 */
function fakeKms(keySpec = 'ECC_NIST_P256'): { client: Pick<KMSClient, 'send'>; calls: string[] } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const calls: string[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof GetPublicKeyCommand) {
        calls.push('GetPublicKey');
        return {
          KeySpec: keySpec,
          KeyUsage: 'SIGN_VERIFY',
          PublicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
        };
      }
      if (command instanceof SignCommand) {
        calls.push('Sign');
        const input = command.input;
        assert.equal(input.MessageType, 'DIGEST');
        assert.equal(input.SigningAlgorithm, 'ECDSA_SHA_256');
        // KMS signs the digest it is given as is (MessageType DIGEST); node:crypto would hash it again.
        const d = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
        const signature = p256.sign(input.Message as Uint8Array, d, { prehash: false, format: 'der' });
        return { Signature: signature };
      }
      throw new Error('unexpected command');
    },
  } as unknown as Pick<KMSClient, 'send'>;
  return { client, calls };
}

describe('KMS key', () => {
  const ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('signs through kms:Sign, and verifies in process with the public key fetched once', async () => {
    const { client, calls } = fakeKms();
    const key = kmsSigningKey(ARN, client);
    const signature = await key.sign(MESSAGE);
    const verifier = kmsVerifyingKey(ARN, client);

    assert.equal(await verifier.verify(MESSAGE, signature), true);
    assert.equal(await verifier.verify(Uint8Array.from([...MESSAGE, 32]), signature), false);
    assert.deepEqual(calls, ['Sign', 'GetPublicKey'], 'one GetPublicKey for both verifications');
    assert.equal(key.keyId, ARN);
    // The digest KMS signed is the SHA-256 of the message: the same signature verifies locally.
    assert.ok(createHash('sha256').update(MESSAGE).digest().length === 32);
  });

  it('refuses a key that is not an ECC_NIST_P256 signing key', async () => {
    const { client } = fakeKms('RSA_2048');
    await assert.rejects(kmsVerifyingKey(ARN, client).verify(MESSAGE, new Uint8Array(8)), /RSA_2048/);
  });
});
