import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ArtifactIntegrityError } from '../../adapters/storage/index.js';
import { artifactKey } from '../../core/artifacts/index.js';
import { ModelLoadError, ModelShapeError, loadModel } from '../../serving/index.js';
import { BUCKET, TRAINED_AT, publishSynthetic, startStore, type TestStore } from './support.js';

describe('loadModel', () => {
  let t: TestStore;

  before(async () => {
    t = await startStore();
  });

  after(async () => {
    await t.close();
  });

  const latest = async (pair: 'BTC/USDT' | 'ETH/USDT' | 'CHZ/USDT') => {
    const pointer = await t.store.readLatest(pair);
    assert.ok(pointer !== null);
    return pointer;
  };

  /** Loads what latest.json points at and expects a refusal naming `problem`. */
  const refused = async (problem: RegExp) => {
    await assert.rejects(
      loadModel(t.store, await latest('BTC/USDT'), { interval: '1h' }),
      (error: unknown) => {
        assert.ok(error instanceof ModelShapeError, String(error));
        assert.match(
          error.message,
          /^Refusing BTC\/USDT version \S+: the model does not match its scaler and manifest/,
        );
        assert.ok(
          error.problems.some((p) => problem.test(p)),
          error.message,
        );
        assert.match(error.message, /Republish the pair/);
        return true;
      },
    );
  };

  it('loads the published version: session, scaler, metrics summary, sequence length', async () => {
    // Prepare
    const published = await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 12 });

    // Act
    const loadedAt = Date.parse(TRAINED_AT) + 42;
    const model = await loadModel(t.store, await latest('BTC/USDT'), {
      interval: '1h',
      clock: () => loadedAt,
    });

    // Assess
    assert.equal(model.version, published.version);
    assert.equal(model.sequenceLength, 12);
    assert.equal(model.featureCount, 9);
    assert.deepEqual(model.scaler.dataMin, published.scaler.dataMin);
    assert.deepEqual(model.summary, {
      testMae: 120.5,
      naiveMae: 100,
      skill: -0.205,
      directionAccuracy: 0.5,
      testWindows: 38,
    });
    assert.equal(model.trainedAt, '2026-11-26T09:00:00.000Z');
    assert.equal(model.targetMode, 'level', 'metrics.json without target_mode: a model from before it');
    assert.equal(model.loadedAt, loadedAt);
    assert.deepEqual(
      model.session.inputs.map((input) => input.name),
      ['sequence'],
    );
    await model.session.release();
  });

  it('refuses a graph that takes another number of features than the scaler has', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { graphFeatures: 5 });
    await refused(/the graph takes 5 features per candle, the scaler has 9/);
  });

  it('loads a model trained on the extended set with its 14 columns', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { featureSet: 'extended' });
    const model = await loadModel(t.store, await latest('BTC/USDT'), { interval: '1h' });
    assert.equal(model.featureCount, 14);
    assert.equal(model.scaler.featureSet, 'extended');
    await model.session.release();
  });

  it("refuses a graph whose input width is not its scaler's feature set, naming the set", async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { featureSet: 'extended', graphFeatures: 9 });
    await refused(/the graph takes 9 features per candle, the scaler has 14 \(feature set extended\)/);
  });

  it('refuses a graph whose window is not the sequence length the metrics record', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { sequenceLength: 8, metricsModel: { sequence_length: 24 } });
    await refused(/the graph takes windows of 8 candles, metrics.json says 24/);
  });

  it('refuses a manifest that disagrees with the metrics on the sequence length', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { manifest: { sequence_length: 120 } });
    await refused(/manifest.json says sequence length 120, metrics.json says 12/);
  });

  it('refuses a model trained on other candles than the server fetches', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', { interval: '4h' });
    await refused(/trained on 4h candles, this server fetches 1h/);
  });

  it('refuses metrics.json that belongs to another pair', async () => {
    const { version } = await publishSynthetic(t.store, 'ETH/USDT');
    const manifest = await t.store.readManifest('ETH/USDT', version);
    await publishSynthetic(t.store, 'BTC/USDT', {
      files: { 'metrics.json': await t.store.readFile(manifest, 'metrics.json') },
    });
    await refused(/metrics.json is about ETH\/USDT/);
  });

  it('stops on a file whose bytes are not those the manifest recorded', async () => {
    // Prepare
    const { version } = await publishSynthetic(t.store, 'BTC/USDT');
    await t.store.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: artifactKey('', 'BTC/USDT', version, 'scaler.json'),
        Body: new TextEncoder().encode('{}'),
      }),
    );

    // Act / Assess
    await assert.rejects(loadModel(t.store, await latest('BTC/USDT')), ArtifactIntegrityError);
  });

  it('names the file when a checksummed file is unusable', async () => {
    await publishSynthetic(t.store, 'BTC/USDT', {
      files: { 'model.onnx': new TextEncoder().encode('not onnx') },
    });
    await assert.rejects(loadModel(t.store, await latest('BTC/USDT')), (error: unknown) => {
      assert.ok(error instanceof ModelLoadError);
      assert.equal(error.file, 'model.onnx');
      // Read before onnxruntime sees it: the operator check reads the graph first.
      assert.match(error.message, /^Cannot load model.onnx of BTC\/USDT version \S+: not an ONNX model/);
      return true;
    });
    await publishSynthetic(t.store, 'BTC/USDT', {
      files: { 'scaler.json': new TextEncoder().encode('{"features":[]}') },
    });
    await assert.rejects(
      loadModel(t.store, await latest('BTC/USDT')),
      /Cannot load scaler.json of BTC\/USDT/,
    );
  });
});
