import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { onnx } from '../../training-image/src/onnx/proto.js';
import { ensureLocalKeyPair, localSigningKey } from '../../adapters/signing/local-keys.js';
import { ArtifactStore } from '../../adapters/storage/store.js';
import { ARTIFACT_SIZE_LIMITS } from '../../core/artifacts/bounds.js';
import { sha256Hex } from '../../core/artifacts/checksum.js';
import { artifactKey, manifestKey, newVersion, signatureKey } from '../../core/artifacts/layout.js';
import { HOUR_MS } from '../../core/market/candle.js';
import type { Predictor } from '../../serving/predictor.js';
import { testSigningKey } from '../support/signing.js';
import {
  BUCKET,
  MemoryCandles,
  NOW,
  TRAINED_AT,
  publishSynthetic,
  startStore,
  type TestStore,
  hourlyPredictor,
} from './support.js';

const PAIR = 'BTC/USDT';
const MiB = 1024 * 1024;

/**
 * A published version serving must not run, each for one reason: it is refused, the log names why
 * (the bound, or the signature), and the version served before keeps serving.
 */
describe('refused versions', () => {
  let t: TestStore;
  let predictor: Predictor;
  let warnings: string[];
  let good: string;
  const clock = { now: NOW };
  const otherKeys = mkdtempSync(join(tmpdir(), 'other-signing-key-'));

  before(async () => {
    t = await startStore();
    ensureLocalKeyPair(otherKeys);
  });

  after(async () => {
    await t.close();
    rmSync(otherKeys, { recursive: true, force: true });
  });

  beforeEach(async () => {
    warnings = [];
    predictor = hourlyPredictor({
      store: t.store,
      candles: new MemoryCandles(),
      pairs: [PAIR],
      now: () => clock.now,
      log: {
        info: () => {},
        warn: (message, fields) => warnings.push(`${message} ${String(fields?.['error'])}`),
      },
    });
    good = (await publishSynthetic(t.store, PAIR)).version;
    assert.equal((await predictor.predict(PAIR)).model.version, good);
  });

  /** After `publishBad`, a reload keeps `good`, says why not the latest, and the log names `reason`. */
  async function refuses(reason: RegExp, publishBad: () => Promise<unknown>): Promise<void> {
    await publishBad();
    const [result] = await predictor.reload();
    assert.equal(result?.version, good, 'the version served before keeps serving');
    assert.equal(result?.changed, false);
    assert.match(result?.error?.message ?? '', reason);
    assert.ok(
      warnings.some((line) => line.startsWith('keeping the loaded model') && reason.test(line)),
      warnings.join('\n'),
    );
    assert.equal((await predictor.predict(PAIR)).model.version, good);
    await predictor.close();
  }

  it('refuses a version without a signature', () =>
    refuses(/it has no \S+manifest\.sig: it is unsigned/, async () => {
      const bad = await publishSynthetic(t.store, PAIR);
      await t.store.client.send(
        new DeleteObjectCommand({ Bucket: BUCKET, Key: signatureKey('', PAIR, bad.version) }),
      );
    }));

  it('refuses a version signed by another key', () =>
    refuses(/signature does not verify with local:[0-9a-f]{16}: signed by another key, or altered/, () => {
      const other = new ArtifactStore({
        client: t.store.client,
        bucket: BUCKET,
        prefix: '',
        key: localSigningKey(otherKeys),
      });
      return publishSynthetic(other, PAIR);
    }));

  it('refuses a version whose manifest was altered after signing', () =>
    refuses(/signature does not verify/, async () => {
      const bad = await publishSynthetic(t.store, PAIR);
      const key = manifestKey('', PAIR, bad.version);
      const manifest = await t.store.readManifest(PAIR, bad.version);
      const altered = { ...manifest, model: { ...manifest.model, note: 'planted' } };
      await t.store.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(altered, null, 2) }),
      );
    }));

  it('refuses a file over its size bound before reading it, even with a signed manifest', () =>
    refuses(/over the bound of \d+ \(ARTIFACT_SIZE_LIMITS\['model\.onnx'\]\): refused unread/, async () => {
      // A manifest signed with the right key (a publisher's bug, or its key used by a compromised job)
      // that lists a model.onnx over the bound, which is there in full.
      const bad = await publishSynthetic(t.store, PAIR);
      const size = ARTIFACT_SIZE_LIMITS['model.onnx'] + MiB;
      const huge = new Uint8Array(size);
      const modelKey = artifactKey('', PAIR, bad.version, 'model.onnx');
      await t.store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: modelKey, Body: huge }));
      const manifest = await t.store.readManifest(PAIR, bad.version);
      const resigned = {
        ...manifest,
        files: { ...manifest.files, 'model.onnx': { key: modelKey, sha256: sha256Hex(huge), bytes: size } },
      };
      const bytes = new TextEncoder().encode(`${JSON.stringify(resigned, null, 2)}\n`);
      const signature = Buffer.from(await testSigningKey().sign(bytes)).toString('base64');
      await t.store.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: manifestKey('', PAIR, bad.version), Body: bytes }),
      );
      await t.store.client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: signatureKey('', PAIR, bad.version),
          Body: JSON.stringify({ schema_version: 1, algorithm: 'ECDSA_SHA_256', key_id: 'test', signature }),
        }),
      );
    }));

  it('refuses a graph that runs an operator outside the allow-list', () =>
    refuses(/ALLOWED_OPERATORS: the graph runs Identity, outside the allow-list/, async () => {
      // The exporter's own graph, with one node's operator swapped for another that onnxruntime runs.
      const exported = await publishSynthetic(t.store, PAIR);
      const model = onnx.ModelProto.decode(exported.onnx);
      const squeeze = model.graph?.node?.find((node) => node.opType === 'Squeeze');
      assert.ok(squeeze, 'the exported graph has a Squeeze');
      squeeze.opType = 'Identity';
      squeeze.input = [squeeze.input?.[0] ?? ''];
      const patched = onnx.ModelProto.encode(model).finish();
      return publishSynthetic(t.store, PAIR, { files: { 'model.onnx': patched } });
    }));

  it('refuses a window outside MODEL_BOUNDS.sequenceLength', () =>
    refuses(/MODEL_BOUNDS\.sequenceLength: the window is 800 candles, outside 2\.\.720/, () =>
      publishSynthetic(t.store, PAIR, { sequenceLength: 800 }),
    ));

  it('refuses a version trained in the future of the clock', () =>
    refuses(/clock skew tolerance \(60 s\): trained_at \S+ is in the future of this server's clock/, () =>
      publishSynthetic(t.store, PAIR, { trainedAt: new Date(NOW + 2 * HOUR_MS).toISOString() }),
    ));

  it('loads a version of the same kind that breaks nothing (the refusals above are the bounds, not noise)', async () => {
    const next = await publishSynthetic(t.store, PAIR, { trainedAt: TRAINED_AT });
    const [result] = await predictor.reload();
    assert.equal(result?.version, next.version);
    assert.equal(result?.error, null);
    await predictor.close();
  });
  // Last: the store's clock is the real one, so this version stays the newest for the tests after it.
  it('refuses a version whose id is in the future of the clock', () =>
    refuses(/the version id \S+ is in the future of this server's clock/, () =>
      publishSynthetic(t.store, PAIR, { version: newVersion(new Date(NOW + 2 * HOUR_MS)) }),
    ));
});
