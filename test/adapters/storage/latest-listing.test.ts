import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestError } from '../../../adapters/storage/errors.js';
import { publishAt, rawPut, storeFor, useTestS3, versionAt } from './support.js';

describe('ArtifactStore.listLatest and listPairs with a bad latest.json under the prefix', () => {
  const s3 = useTestS3();

  it('skips a stray or corrupt latest.json and reports it apart, instead of failing for every pair', async () => {
    // Prepare: two good pairs, a pointer that is not JSON in ETH/USDT's folder, one in a stray folder
    // that is no pair at all
    const store = storeFor(s3.client, { prefix: 'listing/' });
    for (const pair of ['BTC/USDT', 'SOL/USDT']) await publishAt(store, 1, pair);
    await rawPut(s3.client, 'listing/models/eth_usdt/latest.json', '{"pair": "ETH/USDT", "vers');
    await rawPut(s3.client, 'listing/models/backup-old/latest.json', '{"hello": "world"}');

    // Act
    const pairs = await store.listPairs();
    const listing = await store.listLatest();

    // Assess
    assert.deepEqual(pairs, ['BTC/USDT', 'SOL/USDT']);
    assert.deepEqual(
      listing.pointers.map((pointer) => [pointer.pair, pointer.version]),
      [
        ['BTC/USDT', versionAt(1)],
        ['SOL/USDT', versionAt(1)],
      ],
    );
    assert.deepEqual(
      listing.unreadable.map((entry) => entry.folder),
      ['backup-old', 'eth_usdt'],
    );
    for (const entry of listing.unreadable) assert.ok(entry.error instanceof ManifestError);
  });
});
