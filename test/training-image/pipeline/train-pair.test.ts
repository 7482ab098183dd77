import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { ArtifactStore } from '../../../adapters/storage/index.js';
import type { Config } from '../../../core/config/index.js';
import { scalerFromJsonText } from '../../../core/features/index.js';
import { ForecastDistributionSchema } from '../../../core/distribution/index.js';
import { MetricsSchema } from '../../../core/metrics/index.js';
import { silentLog } from '../../../training-image/src/log.js';
import {
  CrpsSkillGateError,
  SkillGateError,
  ValidationGateError,
} from '../../../training-image/src/pipeline/errors.js';
import { trainPair } from '../../../training-image/src/pipeline/train-pair.js';
import type { BackendInfo } from '../../../training-image/src/tf/backend.js';
import { hourlyCandles, writeCandlesCsv } from '../../support/candles-csv.js';
import { startTrainingWorld, type TrainingWorld } from '../training-world.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('trainPair end to end: fake exchange -> pipeline -> S3-compatible server', () => {
  let world: TrainingWorld;
  let backend: BackendInfo;
  let config: Config;
  let store: ArtifactStore;

  before(async () => {
    world = await startTrainingWorld({ name: 'train-e2e', seed: 3 });
    ({ backend, config, store } = world);
  });

  after(async () => {
    await world?.close();
  });

  it('publishes a model that onnxruntime-node loads and that reproduces TensorFlow.js', async () => {
    // Act
    const result = await trainPair({ config, pair: 'BTC/USDT', store, backend, log: silentLog });

    // Assess: latest.json points at the new version
    const latest = await store.readLatest('BTC/USDT');
    assert.equal(latest?.version, result.version);
    // the manifest's checksums are those of the objects as stored
    const manifest = await store.readManifest('BTC/USDT', result.version);
    for (const [name, file] of Object.entries(manifest.files)) {
      const bytes = await store.readFile(manifest, name as 'model.onnx');
      assert.equal(file.sha256, sha256(bytes), `${name} checksum`);
      assert.equal(file.bytes, bytes.length);
    }
    // metrics.json is valid and reports the model beside the naive forecast
    const metrics = MetricsSchema.parse(
      JSON.parse(new TextDecoder().decode(await store.readFile(manifest, 'metrics.json'))),
    );
    assert.equal(metrics.version, result.version);
    assert.ok(metrics.test.windows > 0);
    assert.ok(metrics.test.naive_mae > 0);
    assert.equal(metrics.history.length, metrics.training.epochs_run);
    // the published ONNX model gives what TensorFlow.js gave, on the same windows
    assert.ok(metrics.parity.windows >= config.conversion.random_windows);
    assert.ok(metrics.parity.max_abs_error <= config.conversion.atol);
    const session = await ort.InferenceSession.create(await store.readFile(manifest, 'model.onnx'));
    assert.deepEqual(session.inputNames, ['sequence']);
    assert.deepEqual(session.outputNames, ['output']);
    const { windows, predictions } = result.test;
    const output = await session.run({
      sequence: new ort.Tensor('float32', windows.x, [
        windows.count,
        windows.sequenceLength,
        windows.featureCount,
      ]),
    });
    const onnx = output['output']?.data as Float32Array;
    assert.equal(onnx.length, predictions.length);
    onnx.forEach((value, i) => {
      const expected = predictions[i] as number;
      assert.ok(
        Math.abs(value - expected) <= config.conversion.atol + config.conversion.rtol * Math.abs(expected),
      );
    });
    const scaler = scalerFromJsonText(
      new TextDecoder().decode(await store.readFile(manifest, 'scaler.json')),
    );
    assert.equal(scaler.features.length, 9);
    await session.release();
    // distribution.json is published beside them, with the held-out figures metrics.json reports
    const distributionBytes = await store.readOptionalFile(manifest, 'distribution.json');
    assert.ok(distributionBytes !== null, 'distribution.json is in the manifest');
    const distribution = ForecastDistributionSchema.parse(
      JSON.parse(new TextDecoder().decode(distributionBytes)),
    );
    assert.deepEqual(distribution.family, config.distribution.family);
    assert.equal(distribution.scale.kind, config.distribution.scale);
    assert.notEqual(distribution.calibration, null);
    assert.equal(distribution.b1.window, config.features.sequence_length);
    assert.ok(metrics.distribution !== undefined, 'metrics.json has the distribution block');
    assert.equal(distribution.held_out?.crps_skill, metrics.distribution.crps_skill);
    assert.equal(distribution.held_out?.windows, metrics.test.windows);
    assert.equal(metrics.distribution.windows.calibration, metrics.data.val_windows);
  });

  it('publishes nothing when the test CRPS skill is under validation.min_crps_skill, and latest.json stays', async () => {
    // Prepare
    const before = await store.readLatest('BTC/USDT');
    assert.notEqual(before, null, 'the first test published a model');
    const versions = await store.listVersions('BTC/USDT');
    // A CRPS skill of 1 needs a forecast that is never wrong.
    const strict = { ...config, validation: { ...config.validation, min_crps_skill: 1 } };

    // Act / Assess
    await assert.rejects(
      trainPair({ config: strict, pair: 'BTC/USDT', store, backend, log: silentLog }),
      (error: unknown) =>
        error instanceof CrpsSkillGateError &&
        error.crpsSkill < 1 &&
        /validation\.min_crps_skill 1 \(CRPS [\d.]+ bp, B1 [\d.]+ bp\)/.test(error.message),
    );
    assert.deepEqual(await store.readLatest('BTC/USDT'), before);
    assert.deepEqual(await store.listVersions('BTC/USDT'), versions);
  });

  it('publishes nothing when the validation gate fails, and latest.json stays', async () => {
    // Prepare
    const before = await store.readLatest('BTC/USDT');
    assert.notEqual(before, null, 'the first test published a model');
    const strict = { ...config, validation: { ...config.validation, max_mean_loss: 1e-12 } };

    // Act / Assess
    await assert.rejects(
      trainPair({ config: strict, pair: 'BTC/USDT', store, backend, log: silentLog }),
      (error: unknown) => error instanceof ValidationGateError && /max_mean_loss/.test(error.message),
    );
    assert.deepEqual(await store.readLatest('BTC/USDT'), before);
  });

  describe('the promotion gate validation.min_skill', () => {
    // A file, not the exchange: runs a few seconds apart must see the same candles to score the same skill.
    const PAIR = 'ETH/USDT';
    let candlesFile: string;
    const withMinSkill = (minSkill: number | null): Config => ({
      ...config,
      validation: { ...config.validation, min_skill: minSkill },
    });

    before(async () => {
      candlesFile = join(world.dir, 'gate-candles.csv');
      await writeCandlesCsv(candlesFile, hourlyCandles(12 * 24));
    });

    it('publishes nothing when the test skill is under min_skill, and latest.json stays', async () => {
      // Prepare: a version already serving
      const serving = await trainPair({ config, pair: PAIR, store, backend, log: silentLog, candlesFile });
      const before = await store.readLatest(PAIR);
      assert.equal(before?.version, serving.version);

      // Act / Assess: a skill of 1 needs a perfect forecast
      await assert.rejects(
        trainPair({ config: withMinSkill(1), pair: PAIR, store, backend, log: silentLog, candlesFile }),
        (error: unknown) => {
          assert.ok(error instanceof SkillGateError, String(error));
          assert.equal(error.minSkill, 1);
          assert.ok(error.skill < 1 && error.mae > 0 && error.naiveMae > 0);
          assert.match(error.message, /validation\.min_skill 1\b/);
          assert.ok(error.message.includes(`skill ${error.skill.toFixed(4)}`), error.message);
          assert.ok(error.message.includes(`model MAE ${error.mae.toFixed(2)}`), error.message);
          assert.ok(error.message.includes(`naive MAE ${error.naiveMae.toFixed(2)}`), error.message);
          return true;
        },
      );
      assert.deepEqual(await store.readLatest(PAIR), before);
      assert.deepEqual(await store.listVersions(PAIR), [serving.version]);
    });

    it('publishes when the test skill is above min_skill', async () => {
      // Prepare: the same seed and candles give the same skill, so a gated run tells what this one will score
      const probe: unknown = await trainPair({
        config: withMinSkill(1),
        pair: PAIR,
        store,
        backend,
        log: silentLog,
        candlesFile,
      }).catch((error: unknown) => error);
      assert.ok(probe instanceof SkillGateError, String(probe));
      const minSkill = probe.skill - 0.01;

      // Act
      const result = await trainPair({
        config: withMinSkill(minSkill),
        pair: PAIR,
        store,
        backend,
        log: silentLog,
        candlesFile,
      });

      // Assess
      assert.equal(result.metrics.test.skill, probe.skill);
      assert.equal((await store.readLatest(PAIR))?.version, result.version);
      assert.deepEqual(
        (result.metrics.parameters['validation'] as { min_skill: number }).min_skill,
        minSkill,
        'metrics.json records the gate it passed',
      );
    });
  });

  it('repeats the same loss history for the same seed', async () => {
    const noPublish = { ...config, validation: { ...config.validation, max_mean_loss: 1e-12 } };
    const histories: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const losses: number[] = [];
      const log = {
        ...silentLog,
        info: (event: string, _m: string, fields?: Readonly<Record<string, unknown>>) => {
          if (event === 'epoch') losses.push(Number(fields?.['train_loss']), Number(fields?.['val_loss']));
        },
      };
      await assert.rejects(
        trainPair({ config: noPublish, pair: 'BTC/USDT', store, backend, log }),
        ValidationGateError,
      );
      histories.push(losses);
    }
    assert.ok((histories[0]?.length ?? 0) >= 2);
    assert.deepEqual(histories[0], histories[1]);
  });
});
