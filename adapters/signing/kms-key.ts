import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { publicKeyVerifier } from './public-key.js';
import { SIGNING_ALGORITHM, SigningKeyError, type SigningKey, type VerifyingKey } from './signing-key.js';

/** The KMS API calls the keys make, so that tests can give a fake client. */
export type KmsLike = Pick<KMSClient, 'send'>;

/**
 * An asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY). Verifying fetches the public key once
 * (kms:GetPublicKey) and checks in process, so a model load costs one KMS call per instance, not one per
 * version; signing sends the digest to kms:Sign, so the private key never leaves KMS.
 */
export function kmsVerifyingKey(keyArn: string, client: KmsLike = new KMSClient({})): VerifyingKey {
  let verifier: Promise<VerifyingKey> | undefined;
  const load = (): Promise<VerifyingKey> => {
    verifier ??= client
      .send(new GetPublicKeyCommand({ KeyId: keyArn }))
      .then((answer) => {
        if (answer.PublicKey === undefined)
          throw new SigningKeyError(`kms:GetPublicKey gave no key for ${keyArn}`);
        if (answer.KeySpec !== 'ECC_NIST_P256' || answer.KeyUsage !== 'SIGN_VERIFY') {
          throw new SigningKeyError(
            `${keyArn} is a ${answer.KeySpec} ${answer.KeyUsage} key; model signing needs ECC_NIST_P256 SIGN_VERIFY`,
          );
        }
        const publicKey = createPublicKey({
          key: Buffer.from(answer.PublicKey),
          format: 'der',
          type: 'spki',
        });
        return publicKeyVerifier(publicKey, keyArn);
      })
      .catch((error: unknown) => {
        // Not remembered: the next load tries again (KMS may be throttling for a moment).
        verifier = undefined;
        throw error instanceof SigningKeyError
          ? error
          : new SigningKeyError(`cannot read the public key of ${keyArn}: ${(error as Error).message}`, {
              cause: error,
            });
      });
    return verifier;
  };
  return { keyId: keyArn, verify: async (message, signature) => (await load()).verify(message, signature) };
}

export function kmsSigningKey(keyArn: string, client: KmsLike = new KMSClient({})): SigningKey {
  const verifying = kmsVerifyingKey(keyArn, client);
  return {
    ...verifying,
    sign: async (message) => {
      const digest = createHash('sha256').update(message).digest();
      let answer;
      try {
        answer = await client.send(
          new SignCommand({
            KeyId: keyArn,
            Message: digest,
            MessageType: 'DIGEST',
            SigningAlgorithm: SIGNING_ALGORITHM,
          }),
        );
      } catch (error) {
        throw new SigningKeyError(`kms:Sign with ${keyArn} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (answer.Signature === undefined)
        throw new SigningKeyError(`kms:Sign gave no signature for ${keyArn}`);
      return answer.Signature;
    },
  };
}
