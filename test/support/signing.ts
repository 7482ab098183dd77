import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalKeyPair, localSigningKey } from '../../adapters/signing/local-keys.js';
import type { SigningKey } from '../../adapters/signing/signing-key.js';

/**
 * This test process's model signing key pair: made once, in a temporary folder removed at exit, as the
 * local stack makes its own. What tests publish is signed with it, and what they serve verifies with it.
 */
const dir = mkdtempSync(join(tmpdir(), 'signing-key-'));
ensureLocalKeyPair(dir);
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

/** storage.signing_key for the test key pair. */
export const TEST_SIGNING_KEY = `file:${dir}`;

/** The folder of the test key pair. */
export const TEST_KEY_DIR = dir;

/** The test key pair, signing and verifying. */
export function testSigningKey(): SigningKey {
  return localSigningKey(dir);
}
