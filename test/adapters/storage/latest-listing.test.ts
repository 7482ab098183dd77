import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ManifestError } from '../../../adapters/storage/errors.js';
import {
  BUCKET,
  MODEL_SUMMARY,
  clientFor,
  filesFor,
  startTestS3,
  storeFor,
  versionAt,
  type TestS3,
} from './support.js';

describe('ArtifactStore.listLatest and listPairs with a bad latest.json under the prefix', () => {
  let s3: TestS3;
  let client: S3Client;

  before(async () => {
    s3 = await startTestS3();
    client = clientFor(s3.server.endpoint);
  });

  after(async () => {
    client.destroy();
    await s3.stop();
  });

  it('skips a stray or corrupt latest.json and reports it apart, instead of failing for every pair', async () => {
    // Prepare: two good pairs, a pointer that is not JSON in ETH/USDT's folder, one in a stray folder
    // that is no pair at all
    const store = storeFor(client, { prefix: 'listing/' });
    for (const pair of ['BTC/USDT', 'SOL/USDT']) {
      await store.publish({ pair, version: versionAt(1), files: filesFor(1), model: MODEL_SUMMARY });
    }
    const put = (key: string, body: string) =>
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `listing/models/${key}`, Body: body }));
    await put('eth_usdt/latest.json', '{"pair": "ETH/USDT", "vers');
    await put('backup-old/latest.json', '{"hello": "world"}');

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
