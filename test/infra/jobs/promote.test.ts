import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureLocalKeyPair } from '../../../adapters/signing/local-keys.js';
import { main } from '../../../infra/jobs/cli.js';
import { BUCKET, publishSynthetic, startStore, type TestStore } from '../../serving/support.js';
import { TEST_SIGNING_KEY } from '../../support/signing.js';

const PAIR = 'BTC/USDT';

describe('jobs promote', () => {
  let test: TestStore;
  let older: string;
  let newer: string;
  const otherKeys = mkdtempSync(join(tmpdir(), 'other-key-'));
  before(async () => {
    ensureLocalKeyPair(otherKeys);
    test = await startStore();
    older = (await publishSynthetic(test.store, PAIR)).version;
    newer = (await publishSynthetic(test.store, PAIR)).version;
  });
  after(async () => {
    await test.close();
    rmSync(otherKeys, { recursive: true, force: true });
  });

  /** Deployed, `signingKey` is the stack's KMS key (ModelSigningKeyArn); by default here the test's key pair. */
  async function promote(
    version: string,
    signingKey = TEST_SIGNING_KEY,
  ): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await main(
      [
        '--region',
        'us-east-1',
        'promote',
        '--pair',
        PAIR,
        '--version',
        version,
        '--bucket',
        BUCKET,
        '--s3-endpoint',
        test.s3.endpoint,
        '--signing-key',
        signingKey,
      ],
      (text) => lines.push(text),
    );
    return { code, lines };
  }

  it('points latest.json at an earlier published version (a rollback)', async () => {
    assert.equal((await test.store.readLatest(PAIR))?.version, newer);

    const { code, lines } = await promote(older);

    assert.equal(code, 0);
    assert.equal((await test.store.readLatest(PAIR))?.version, older);
    assert.match(lines[0] ?? '', new RegExp(`^BTC/USDT now serves version ${older}`));
  });

  it('refuses a version signed by another key, and latest.json stays', async () => {
    const before = await test.store.readLatest(PAIR);

    const { code } = await promote(older, `file:${otherKeys}`);

    assert.equal(code, 1);
    assert.deepEqual(await test.store.readLatest(PAIR), before);
  });

  it('refuses a version that was never published, and latest.json stays', async () => {
    const before = await test.store.readLatest(PAIR);

    const { code } = await promote('20200101T000000Z-dead');

    assert.equal(code, 1);
    assert.deepEqual(await test.store.readLatest(PAIR), before);
  });
});
