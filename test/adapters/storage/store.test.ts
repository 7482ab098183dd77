import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sha256Hex } from '../../../core/artifacts/checksum.js';
import {
  ArtifactError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ManifestError,
  StorageUnavailableError,
  UnverifiedVersionError,
} from '../../../adapters/storage/errors.js';
import { ARTIFACT_FILES, latestKey, manifestKey, signatureKey } from '../../../core/artifacts/layout.js';
import { testSigningKey } from '../../support/signing.js';
import type { ArtifactStore } from '../../../adapters/storage/store.js';
import { ensureBucket } from '../../../adapters/storage/bucket.js';
import {
  BUCKET,
  FAST,
  MODEL_SUMMARY,
  PAIR,
  clientFor,
  rawPut,
  filesFor,
  publishAt,
  startFaultProxy,
  startSilentServer,
  startTestS3,
  storeFor,
  useTestS3,
  versionAt,
} from './support.js';

async function rawKeys(client: S3Client, prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((item) => item.Key ?? '').sort();
}

async function rawGet(client: S3Client, key: string): Promise<Uint8Array> {
  const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.ok(response.Body);
  return response.Body.transformToByteArray();
}

describe('ArtifactStore against s3rver', () => {
  const s3 = useTestS3();
  let store: ArtifactStore;
  let prefix = '';

  beforeEach(() => {
    // A fresh prefix per test keeps tests independent without restarting the server.
    ({ prefix, store } = s3.freshStore('t', { clock: () => new Date('2026-11-26T07:00:00.000Z') }));
  });

  it('reads back what it published, byte for byte, with checksums of the stored objects', async () => {
    // Prepare
    const files = filesFor(1);
    const version = versionAt(6);

    // Act
    const published = await store.publish({ pair: PAIR, version, files, model: MODEL_SUMMARY });
    const latest = await store.readLatest(PAIR);
    assert.ok(latest);
    const manifest = await store.readManifest(PAIR, latest.version);

    // Assess
    assert.deepEqual(latest, {
      pair: PAIR,
      version,
      manifest_key: `${prefix}models/btc_usdt/${version}/manifest.json`,
      published_at: '2026-11-26T07:00:00.000Z',
    });
    assert.deepEqual(manifest, published);
    assert.equal(manifest.created_at, '2026-11-26T07:00:00.000Z');
    assert.deepEqual(manifest.model, MODEL_SUMMARY);
    for (const name of ARTIFACT_FILES) {
      const entry = manifest.files[name];
      assert.equal(entry.key, `${prefix}models/btc_usdt/${version}/${name}`);
      assert.deepEqual(await store.readFile(manifest, name), files[name]);
      const stored = await rawGet(s3.client, entry.key);
      assert.equal(entry.sha256, sha256Hex(stored));
      assert.equal(entry.bytes, stored.byteLength);
    }
  });

  it('answers null, and empty lists, before anything is published', async () => {
    assert.equal(await store.readLatest(PAIR), null);
    assert.deepEqual(await store.listPairs(), []);
    assert.deepEqual(await store.listVersions(PAIR), []);
    assert.deepEqual(await store.pruneVersions(PAIR, 1), []);
  });

  it('moves latest.json to each newer version, never back, and lists versions oldest first', async () => {
    const first = await publishAt(store, 3);
    const second = await publishAt(store, 4);
    const third = await publishAt(store, 2); // published last, but stamped earlier: a slow retry

    assert.equal((await store.readLatest(PAIR))?.version, second);
    assert.deepEqual(await store.listVersions(PAIR), [third, first, second]);
  });

  it('writes latest.json last: requests reach the server in file, manifest, signature, pointer order', async () => {
    const proxy = await startFaultProxy(s3.server.endpoint, () => false);
    const proxied = clientFor(proxy.endpoint);
    try {
      const version = versionAt(5);
      await storeFor(proxied, { prefix }).publish({ pair: PAIR, version, files: filesFor(5), model: {} });

      const puts = proxy.requests.filter((r) => r.method === 'PUT').map((r) => r.path.split('/').pop());
      assert.deepEqual(puts, [
        'model.onnx',
        'scaler.json',
        'metrics.json',
        'manifest.json',
        'manifest.sig',
        'latest.json',
      ]);
    } finally {
      proxied.destroy();
      await proxy.close();
    }
  });

  for (const failing of ['model.onnx', 'metrics.json', 'manifest.json', 'manifest.sig'] as const) {
    it(`leaves the previous latest.json unchanged when the ${failing} upload fails`, async () => {
      // Prepare
      const before = await publishAt(store, 1);
      const pointerBefore = await rawGet(s3.client, latestKey(prefix, PAIR));
      const proxy = await startFaultProxy(
        s3.server.endpoint,
        (r) => r.method === 'PUT' && r.path.endsWith(`/${failing}`),
      );
      const proxied = clientFor(proxy.endpoint);
      try {
        // Act
        const attempt = storeFor(proxied, { prefix }).publish({
          pair: PAIR,
          version: versionAt(2),
          files: filesFor(2),
          model: MODEL_SUMMARY,
        });

        // Assess
        await assert.rejects(attempt, StorageUnavailableError);
        assert.ok(
          !proxy.requests.some((r) => r.path.endsWith('/latest.json')),
          'latest.json was not touched',
        );
        assert.deepEqual(await rawGet(s3.client, latestKey(prefix, PAIR)), pointerBefore);
        assert.equal((await store.readLatest(PAIR))?.version, before);
        assert.deepEqual(await store.listVersions(PAIR), [before], 'the half-written version is not listed');
      } finally {
        proxied.destroy();
        await proxy.close();
      }
    });
  }

  it('refuses to publish over a version that already has a manifest', async () => {
    const version = await publishAt(store, 8);

    await assert.rejects(
      store.publish({ pair: PAIR, version, files: filesFor(9), model: MODEL_SUMMARY }),
      (error: unknown) => error instanceof ArtifactError && /already published/.test(error.message),
    );
    const manifest = await store.readManifest(PAIR, version);
    assert.deepEqual(await store.readFile(manifest, 'model.onnx'), filesFor(8)['model.onnx']);
  });

  it('refuses a bad pair, version or model summary before writing anything', async () => {
    const files = filesFor(1);
    await assert.rejects(
      store.publish({ pair: 'btc/usdt', version: versionAt(1), files, model: {} }),
      RangeError,
    );
    await assert.rejects(store.publish({ pair: PAIR, version: '2026-11-26', files, model: {} }), RangeError);
    await assert.rejects(
      store.publish({ pair: PAIR, version: versionAt(1), files, model: { sequence_length: -1 } }),
      ManifestError,
    );
    await assert.rejects(
      store.publish({ pair: PAIR, version: versionAt(1), files, model: { test_mae: Number.NaN } }),
      ManifestError,
    );
    assert.deepEqual(await rawKeys(s3.client, prefix), []);
  });

  it('detects a replaced object with ArtifactIntegrityError naming the key and both checksums', async () => {
    // Prepare
    const version = await publishAt(store, 10);
    const manifest = await store.readManifest(PAIR, version);
    const entry = manifest.files['scaler.json'];
    const tampered = new TextEncoder().encode('{"feature_range":[-1,1],"seed":666}');
    await rawPut(s3.client, entry.key, tampered);

    // Act
    const read = store.readFile(manifest, 'scaler.json');

    // Assess
    await assert.rejects(read, (error: unknown) => {
      assert.ok(error instanceof ArtifactIntegrityError);
      assert.equal(error.key, entry.key);
      assert.equal(error.expectedSha256, entry.sha256);
      assert.equal(error.actualSha256, sha256Hex(tampered));
      return true;
    });
  });

  it('answers ArtifactNotFoundError for a version that was never published, or a file pruned under a reader', async () => {
    await assert.rejects(store.readManifest(PAIR, versionAt(23)), ArtifactNotFoundError);

    const version = await publishAt(store, 11);
    const manifest = await store.readManifest(PAIR, version);
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: manifest.files['model.onnx'].key }));
    await assert.rejects(store.readFile(manifest, 'model.onnx'), ArtifactNotFoundError);
  });

  it('answers ManifestError for a latest.json or manifest.json that is not valid', async () => {
    const version = await publishAt(store, 12);
    const pointerKey = latestKey(prefix, PAIR);

    await rawPut(s3.client, pointerKey, '{"pair": "BTC/USDT", "vers');
    await assert.rejects(store.readLatest(PAIR), ManifestError);

    await rawPut(s3.client, pointerKey, JSON.stringify({ pair: PAIR, version: 'latest' }));
    await assert.rejects(store.readLatest(PAIR), ManifestError);

    // Valid JSON in the wrong place: a pointer copied from another pair must not be followed.
    await rawPut(
      s3.client,
      pointerKey,
      JSON.stringify({
        pair: 'ETH/USDT',
        version,
        manifest_key: manifestKey(prefix, 'ETH/USDT', version),
        published_at: '2026-11-26T07:00:00.000Z',
      }),
    );
    await assert.rejects(store.readLatest(PAIR), ManifestError);

    // A manifest replaced behind the publisher's back no longer matches its signature: refused unread.
    const invalid = new TextEncoder().encode(JSON.stringify({ schema_version: 2 }));
    await rawPut(s3.client, manifestKey(prefix, PAIR, version), invalid);
    await assert.rejects(store.readManifest(PAIR, version), UnverifiedVersionError);
    // Signed by the key itself but not a manifest (a publisher's bug): the schema still refuses it.
    const signature = await testSigningKey().sign(invalid);
    await rawPut(
      s3.client,
      signatureKey(prefix, PAIR, version),
      JSON.stringify({
        schema_version: 1,
        algorithm: 'ECDSA_SHA_256',
        key_id: 'test',
        signature: Buffer.from(signature).toString('base64'),
      }),
    );
    await assert.rejects(store.readManifest(PAIR, version), (error: unknown) => {
      assert.ok(error instanceof ManifestError);
      assert.equal(error.key, manifestKey(prefix, PAIR, version));
      return true;
    });
  });

  it('lists the pairs that have a latest.json, as written in it', async () => {
    await publishAt(store, 1, 'ETH/USDT');
    await publishAt(store, 1, 'BTC/USDT');
    await publishAt(store, 2, 'BTC/USDT');
    // A first publish of SOL/USDT that died before its pointer: not a pair yet.
    await rawPut(s3.client, `${prefix}models/sol_usdt/${versionAt(1)}/model.onnx`, new Uint8Array([1, 2, 3]));

    assert.deepEqual(await store.listPairs(), ['BTC/USDT', 'ETH/USDT']);
  });

  it('prunes all but the newest K versions, object by object', async () => {
    // Prepare
    const versions: string[] = [];
    for (let hour = 1; hour <= 5; hour += 1) versions.push(await publishAt(store, hour));

    // Act
    const deleted = await store.pruneVersions(PAIR, 2);

    // Assess
    assert.deepEqual(deleted, versions.slice(0, 3));
    assert.deepEqual(await store.listVersions(PAIR), versions.slice(3));
    const remaining = await rawKeys(s3.client, `${prefix}models/btc_usdt/`);
    assert.equal(remaining.length, 2 * 5 + 1, 'five objects per kept version, plus latest.json');
    assert.ok(remaining.every((key) => !versions.slice(0, 3).some((v) => key.includes(v))));
    const latest = await store.readLatest(PAIR);
    assert.equal(latest?.version, versions[4]);
  });

  it('after a rollback, prunes neither the version latest.json points at nor any newer one', async () => {
    const versions: string[] = [];
    for (let hour = 1; hour <= 4; hour += 1) versions.push(await publishAt(store, hour));
    const [v1, v2, v3, v4] = versions;
    assert.ok(v1 && v2 && v3 && v4);
    await store.promote(PAIR, v1); // a rollback

    // Versions newer than the live one may be publishes about to move latest.json: not the prune's.
    const deleted = await store.pruneVersions(PAIR, 1);

    assert.deepEqual(deleted, []);
    assert.deepEqual(await store.listVersions(PAIR), versions);
    const latest = await store.readLatest(PAIR);
    assert.ok(latest);
    const manifest = await store.readManifest(PAIR, latest.version);
    assert.deepEqual(await store.readFile(manifest, 'model.onnx'), filesFor(1)['model.onnx']);
  });

  it('prunes abandoned half-written versions but not one newer than every complete version', async () => {
    const abandoned = versionAt(1);
    await rawPut(s3.client, `${prefix}models/btc_usdt/${abandoned}/model.onnx`, new Uint8Array([1]));
    const done = await publishAt(store, 2);
    const inProgress = versionAt(3);
    await rawPut(s3.client, `${prefix}models/btc_usdt/${inProgress}/model.onnx`, new Uint8Array([3]));

    // Two hours on: the abandoned folder has been quiet for longer than the grace period.
    const later = storeFor(s3.client, { prefix, clock: () => new Date(Date.now() + 2 * 60 * 60 * 1000) });
    const deleted = await later.pruneVersions(PAIR, 5);

    assert.deepEqual(deleted, [abandoned]);
    const keys = await rawKeys(s3.client, `${prefix}models/btc_usdt/`);
    assert.ok(keys.some((key) => key.includes(inProgress)));
    assert.ok(keys.some((key) => key.includes(done)));
  });

  it('lists and prunes across many pages of keys', async () => {
    // Prepare
    const versions: string[] = [];
    for (let hour = 1; hour <= 6; hour += 1) versions.push(await publishAt(store, hour));
    const paged = storeFor(s3.client, { prefix, listPageSize: 3 });

    // Act
    const listed = await paged.listVersions(PAIR);
    const deleted = await paged.pruneVersions(PAIR, 2);

    // Assess
    assert.deepEqual(listed, versions);
    assert.deepEqual(deleted, versions.slice(0, 4));
    assert.deepEqual(await paged.listVersions(PAIR), versions.slice(4));
    assert.deepEqual(await paged.listPairs(), [PAIR]);
  });

  it('refuses to prune with keep below 1', async () => {
    await assert.rejects(store.pruneVersions(PAIR, 0), RangeError);
  });

  it('writes at the bucket root with an empty prefix', async () => {
    const root = storeFor(s3.client, { prefix: '' });
    const version = versionAt(13, 'root');
    await root.publish({ pair: 'XRP/USDT', version, files: filesFor(13), model: {} });

    assert.deepEqual(await rawKeys(s3.client, `models/xrp_usdt/`), [
      `models/xrp_usdt/${version}/manifest.json`,
      `models/xrp_usdt/${version}/manifest.sig`,
      `models/xrp_usdt/${version}/metrics.json`,
      `models/xrp_usdt/${version}/model.onnx`,
      `models/xrp_usdt/${version}/scaler.json`,
      'models/xrp_usdt/latest.json',
    ]);
    assert.equal((await root.readLatest('XRP/USDT'))?.version, version);
  });

  it('answers ping, and creates a missing bucket with ensureBucket', async () => {
    await store.ping();
    const other = storeFor(s3.client, { bucket: 'created-later' });
    await assert.rejects(other.ping(), StorageUnavailableError);

    await ensureBucket(other.client, other.bucket);
    await ensureBucket(other.client, other.bucket); // idempotent

    await other.ping();
    assert.equal(await other.readLatest(PAIR), null);
  });

  it('maps 5xx answers to StorageUnavailableError after the SDK retries', async () => {
    const proxy = await startFaultProxy(s3.server.endpoint, (r) => r.method === 'GET');
    const proxied = clientFor(proxy.endpoint, { ...FAST, maxAttempts: 2 });
    try {
      await assert.rejects(storeFor(proxied, { prefix }).readLatest(PAIR), (error: unknown) => {
        assert.ok(error instanceof StorageUnavailableError);
        assert.equal(error.operation, 'GetObject');
        assert.match(error.message, /HTTP 500/);
        return true;
      });
      assert.equal(proxy.requests.length, 2, 'one retry');
    } finally {
      proxied.destroy();
      await proxy.close();
    }
  });

  it('maps refused credentials to a plain ArtifactError (a configuration problem, not an outage)', async () => {
    const stranger = new S3Client({
      endpoint: s3.server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'NOTHING' },
    });
    try {
      await assert.rejects(storeFor(stranger).readLatest(PAIR), (error: unknown) => {
        assert.ok(error instanceof ArtifactError);
        assert.ok(!(error instanceof StorageUnavailableError));
        assert.match(error.message, /InvalidAccessKeyId \(HTTP 403\)/);
        return true;
      });
    } finally {
      stranger.destroy();
    }
  });
});

describe('ArtifactStore with the storage down', () => {
  it('answers StorageUnavailableError quickly when nothing listens', async () => {
    const s3 = await startTestS3();
    const endpoint = s3.server.endpoint;
    await s3.stop();
    const client = clientFor(endpoint, { ...FAST, maxAttempts: 2 });
    const store = storeFor(client);
    try {
      const started = Date.now();
      await assert.rejects(store.readLatest(PAIR), (error: unknown) => {
        assert.ok(error instanceof StorageUnavailableError);
        assert.match(error.message, /ECONNREFUSED/);
        assert.ok(error.cause !== undefined, 'the SDK error is kept as cause');
        return true;
      });
      await assert.rejects(store.ping(), StorageUnavailableError);
      await assert.rejects(
        store.publish({ pair: PAIR, version: versionAt(1), files: filesFor(1), model: {} }),
        StorageUnavailableError,
      );
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    } finally {
      client.destroy();
    }
  });

  it('answers StorageUnavailableError when the endpoint accepts but never answers', async () => {
    const silent = await startSilentServer();
    const client = clientFor(silent.endpoint, { ...FAST, requestTimeoutMs: 300 });
    try {
      await assert.rejects(storeFor(client).readLatest(PAIR), StorageUnavailableError);
    } finally {
      client.destroy();
      await silent.close();
    }
  });
});
