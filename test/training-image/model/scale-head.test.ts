import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  GAUSSIAN,
  headScale,
  unitFamily,
  windowScale,
  type ForecastDistribution,
} from '../../../core/distribution/index.js';
import type { Candle } from '../../../core/market/index.js';
import { stepsFromTimeMajor, toTimeMajor } from '../../../training-image/src/model/batch-layout.js';
import { ForecastNetwork } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { scaleCrps } from '../../../training-image/src/model/scale-loss.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';

const SHAPE = { layers: 2, hiddenSize: 6, sequenceLength: 5, featureCount: 9, dropoutRate: 0 };
const BATCH = 7;
const WEIGHT = 0.7;

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (scale || 1));
  }
  return worst;
}

/** The Gaussian's scale-free CRPS in TensorFlow.js ops, for autodiff: exp(z) c(r / (sigma_B1 exp(z))). */
function gaussianScaleCrps(z: tf.Tensor2D, sigmaB1: tf.Tensor2D, logReturn: tf.Tensor2D): tf.Scalar {
  const u = tf.div(logReturn, tf.mul(sigmaB1, tf.exp(z)));
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.div(u, Math.SQRT2))));
  const pdf = tf.div(tf.exp(tf.mul(-0.5, tf.square(u))), Math.sqrt(2 * Math.PI));
  const unit = tf.add(tf.mul(u, tf.sub(tf.mul(2, cdf), 1)), tf.sub(tf.mul(2, pdf), 1 / Math.sqrt(Math.PI)));
  return tf.mean(tf.mul(tf.exp(z), unit)) as tf.Scalar;
}

describe('ForecastNetwork scale head', () => {
  before(async () => {
    await selectBackend('auto');
  });

  for (const lstmPath of ['ops', 'fused'] as const) {
    it(`${lstmPath} path: hand-written gradients of MSE + weight x CRPS equal TensorFlow.js autodiff, every variable`, () => {
      // Prepare: both heads non-zero, residual target with an output scale, so every term is live.
      const init = new SeededRandom(41);
      const shape = { ...SHAPE, residualFeature: 7, outputScale: 0.05, scaleHead: true };
      const start = ForecastNetwork.initialize(shape, init).toWeights();
      const weights = {
        ...start,
        denseKernel: init.uniform(SHAPE.hiddenSize, -0.5, 0.5),
        scaleHead: { kernel: init.uniform(SHAPE.hiddenSize, -0.8, 0.8), bias: init.uniform(1, -0.3, 0.3) },
      };
      const network = ForecastNetwork.fromWeights(weights, { lstmPath });
      const reference = ForecastNetwork.fromWeights(weights, { lstmPath: 'ops' });
      const windows = init.uniform(BATCH * SHAPE.sequenceLength * SHAPE.featureCount, -1, 1);
      const labels = init.uniform(BATCH, -1, 1);
      const sigmaB1 = Float64Array.from(init.uniform(BATCH, 0.002, 0.01));
      const logReturn = Float64Array.from(init.uniform(BATCH, -0.02, 0.02));
      const indices = Array.from({ length: BATCH }, (_, i) => i);
      const timeMajor = toTimeMajor(windows, indices, SHAPE.sequenceLength, SHAPE.featureCount);
      const loss = { family: unitFamily(GAUSSIAN), weight: WEIGHT };

      // Act
      const fast = tf.tidy(() => {
        const steps = stepsFromTimeMajor(timeMajor, SHAPE.sequenceLength, SHAPE.featureCount);
        const out = network.lossAndGradients(steps, tf.tensor2d(labels, [BATCH, 1]), {
          scale: { targets: { sigmaB1, logReturn }, loss },
        });
        return {
          loss: out.loss.dataSync()[0]!,
          scaleCrps: out.scaleCrps ?? Number.NaN,
          grads: out.grads.map((g) => g.dataSync() as Float32Array),
        };
      });
      const slow = tf.tidy(() => {
        const steps = stepsFromTimeMajor(timeMajor, SHAPE.sequenceLength, SHAPE.featureCount);
        const y = tf.tensor2d(labels, [BATCH, 1]);
        const s = tf.tensor2d(Float32Array.from(sigmaB1), [BATCH, 1]);
        const r = tf.tensor2d(Float32Array.from(logReturn), [BATCH, 1]);
        const variables = reference.trainableVariables();
        const { value, grads } = tf.variableGrads(() => {
          const { forecast, logScale } = reference.predictOutputs(steps);
          assert.ok(logScale !== null);
          const mse = tf.mean(tf.square(tf.sub(forecast, y)));
          return tf.add(mse, tf.mul(WEIGHT, gaussianScaleCrps(logScale, s, r))) as tf.Scalar;
        }, variables);
        return {
          loss: value.dataSync()[0]!,
          grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
        };
      });

      // Assess
      assert.equal(network.lstmPath, lstmPath);
      assert.equal(
        fast.grads.length,
        3 * SHAPE.layers + 4,
        'LSTM variables, the forecast head and the scale head',
      );
      assert.equal(fast.grads.length, slow.grads.length);
      assert.ok(Math.abs(fast.loss - slow.loss) / slow.loss < 1e-5, `loss ${fast.loss} vs ${slow.loss}`);
      assert.ok(fast.scaleCrps > 0, `scale CRPS ${fast.scaleCrps}`);
      fast.grads.forEach((grad, i) => {
        const expected = slow.grads[i]!;
        assert.equal(grad.length, expected.length, `gradient ${i} has the wrong size`);
        assert.ok(
          expected.some((v) => v !== 0),
          `reference gradient ${i} is all zero: the test could not fail`,
        );
        const error = maxRelativeError(grad, expected);
        assert.ok(error < 1e-4, `gradient ${i} differs: relative error ${error}`);
      });
      network.dispose();
      reference.dispose();
    });
  }

  it("Student-t: the scale loss's gradient equals central differences of its mean", () => {
    const family = unitFamily({ name: 'student_t', nu: 5 });
    const random = new SeededRandom(5);
    const output = Float64Array.from(random.uniform(9, -1, 1));
    const targets = {
      sigmaB1: Float64Array.from(random.uniform(9, 0.002, 0.01)),
      logReturn: Float64Array.from(random.uniform(9, -0.03, 0.03)),
    };
    const { gradient } = scaleCrps(family, output, targets);
    const h = 1e-6;
    output.forEach((_, i) => {
      const up = Float64Array.from(output, (v, k) => (k === i ? v + h : v));
      const down = Float64Array.from(output, (v, k) => (k === i ? v - h : v));
      const numeric = (scaleCrps(family, up, targets).mean - scaleCrps(family, down, targets).mean) / (2 * h);
      assert.ok(Math.abs(gradient[i]! - numeric) < 1e-7 + 1e-5 * Math.abs(numeric), `window ${i}`);
    });
  });

  it('starts at exactly zero, so an untrained network serves B1 exactly', () => {
    // Prepare
    const network = ForecastNetwork.initialize({ ...SHAPE, scaleHead: true }, new SeededRandom(3));
    const random = new SeededRandom(4);
    const windows = random.uniform(BATCH * SHAPE.sequenceLength * SHAPE.featureCount, -1, 1);
    const indices = Array.from({ length: BATCH }, (_, i) => i);
    const timeMajor = toTimeMajor(windows, indices, SHAPE.sequenceLength, SHAPE.featureCount);
    const candles: Candle[] = Array.from({ length: 30 }, (_, i) => {
      const close = 100 * Math.exp(0.01 * Math.sin(i * 1.7));
      return {
        openTime: i * 3_600_000,
        open: close,
        high: close * 1.01,
        low: close * 0.99,
        close,
        volume: 1,
      };
    });
    const spec: ForecastDistribution = {
      schema_version: 1,
      family: GAUSSIAN,
      b1: { window: 20 },
      scale: { kind: 'network', output: 'log_scale', shrink: 1 },
      calibration: null,
      held_out: null,
    };

    // Act
    const output = tf.tidy(() => {
      const { logScale } = network.predictOutputs(
        stepsFromTimeMajor(timeMajor, SHAPE.sequenceLength, SHAPE.featureCount),
      );
      return logScale?.dataSync();
    });
    const served = windowScale(spec, {
      candles,
      last: 29,
      nextOpenTime: 30 * 3_600_000,
      networkLogScale: output![0]!,
    });

    // Assess
    assert.deepEqual([...output!], new Array<number>(BATCH).fill(0));
    assert.equal(served.sigma, served.sigmaB1);
    assert.equal(headScale(0.0042, output![3]!), 0.0042);
    network.dispose();
  });

  it('is absent unless asked for: same variables and weights as before it existed', () => {
    const plain = ForecastNetwork.initialize(SHAPE, new SeededRandom(3));
    const headed = ForecastNetwork.initialize({ ...SHAPE, scaleHead: true }, new SeededRandom(3));
    assert.equal(plain.trainableVariables().length, 3 * SHAPE.layers + 2);
    assert.equal('scaleHead' in plain.toWeights(), false);
    const { scaleHead, ...rest } = headed.toWeights();
    assert.ok(scaleHead !== undefined);
    assert.deepEqual(rest, plain.toWeights(), 'the scale head changes no other weight');
    assert.throws(
      () =>
        tf.tidy(
          () =>
            headed.lossAndGradients(
              stepsFromTimeMajor(
                new Float32Array(SHAPE.sequenceLength * SHAPE.featureCount),
                SHAPE.sequenceLength,
                SHAPE.featureCount,
              ),
              tf.zeros([1, 1]),
            ).loss,
        ),
      /scale head and needs/,
    );
    plain.dispose();
    headed.dispose();
  });
});
