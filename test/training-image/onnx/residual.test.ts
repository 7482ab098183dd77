/**
 * The residual target (training.target_mode: residual): TensorFlow.js adds the last step's close to
 * the head's output, and the exported ONNX graph must do the same so serving is unchanged.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { CLOSE_INDEX } from '../../../core/features/index.js';
import { stepsFromTimeMajor, toTimeMajor } from '../../../training-image/src/model/batch-layout.js';
import { ForecastNetwork } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import type { ForecastNetworkWeights } from '../../../training-image/src/model/weights.js';
import { InvalidWeightsError } from '../../../training-image/src/onnx/errors.js';
import { exportToOnnx } from '../../../training-image/src/onnx/export.js';
import { compareOutputs, runOnnx } from '../../../training-image/src/onnx/parity.js';
import { referenceForward } from '../../support/reference-forward.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { checkOnnxModel } from '../../support/onnx-checker.js';
import { randomWeights, randomWindows } from './fixtures.js';

const TOLERANCE = { atol: 1e-5, rtol: 1e-3 };
const SHAPE = { sequenceLength: 16, featureCount: 9, hiddenSizes: [12, 12] };

function tfPredict(network: ForecastNetwork, windows: Float32Array, batch: number): Float32Array {
  const { sequenceLength: L, featureCount: F } = network.shape;
  const indices = Array.from({ length: batch }, (_, i) => i);
  return tf.tidy(() => {
    const steps = stepsFromTimeMajor(toTimeMajor(windows, indices, L, F), L, F);
    return network.predict(steps).dataSync() as Float32Array;
  });
}

function lastValues(windows: Float32Array, batch: number, feature: number): Float32Array {
  const { sequenceLength: L, featureCount: F } = SHAPE;
  return Float32Array.from({ length: batch }, (_, b) => windows[b * L * F + (L - 1) * F + feature] ?? NaN);
}

/** The exported graph's outputs for `windows`. */
async function onnxPredict(
  weights: ForecastNetworkWeights,
  windows: Float32Array,
  batch: number,
): Promise<Float32Array> {
  return runOnnx(exportToOnnx(weights), windows, batch, SHAPE.sequenceLength, SHAPE.featureCount);
}

/** TensorFlow.js's and the exported graph's outputs for the same weights. */
async function bothPredict(
  weights: ForecastNetworkWeights,
  windows: Float32Array,
  batch: number,
): Promise<{ expected: Float32Array; actual: Float32Array }> {
  const network = ForecastNetwork.fromWeights(weights);
  try {
    return {
      expected: tfPredict(network, windows, batch),
      actual: await onnxPredict(weights, windows, batch),
    };
  } finally {
    network.dispose();
  }
}

describe('residual target', () => {
  const level = randomWeights(SHAPE, 7);
  const residual = { ...level, residualFeature: CLOSE_INDEX };
  const batch = 11;
  const windows = randomWindows(level, batch, 8);

  before(async () => {
    await selectBackend('auto');
  });

  it('the exported graph matches TensorFlow.js within atol 1e-5, rtol 1e-3', async () => {
    const { expected, actual } = await bothPredict(residual, windows, batch);

    const report = compareOutputs(expected, actual, TOLERANCE);
    assert.ok(report.ok, `max abs error ${report.maxAbsError}`);
  });

  it('adds exactly the last step close to what the level model outputs', async () => {
    const [withResidual, withoutResidual] = [
      await onnxPredict(residual, windows, batch),
      await onnxPredict(level, windows, batch),
    ];
    const close = lastValues(windows, batch, CLOSE_INDEX);

    for (let b = 0; b < batch; b++) {
      const added = (withResidual[b] as number) - (withoutResidual[b] as number);
      assert.ok(
        Math.abs(added - (close[b] as number)) < 1e-6,
        `window ${b}: added ${added}, close ${close[b]}`,
      );
    }
    // The float64 reference agrees with the graph too.
    const report = compareOutputs(referenceForward(residual, windows), withResidual, TOLERANCE);
    assert.ok(report.ok, `max abs error ${report.maxAbsError}`);
  });

  it('folds the output scale into the exported dense weights (TF.js, reference and graph agree)', async () => {
    const scaled = { ...residual, outputScale: 0.013 };
    const { expected, actual } = await bothPredict(scaled, windows, batch);

    const report = compareOutputs(expected, actual, TOLERANCE);
    assert.ok(report.ok, `max abs error ${report.maxAbsError}`);
    assert.ok(compareOutputs(referenceForward(scaled, windows), actual, TOLERANCE).ok);
    // The scale matters: the unscaled residual model answers differently.
    const unscaled = await onnxPredict(residual, windows, batch);
    assert.ok(!compareOutputs(unscaled, actual, TOLERANCE).ok);
  });

  it('passes the official ONNX checker (full_check)', async (t) => {
    const result = await checkOnnxModel(exportToOnnx(residual));

    if (result.status === 'skipped') {
      t.skip(`ONNX checker not run: ${result.reason}`);
      return;
    }
    assert.deepEqual(result.opsets, { 'ai.onnx': 17 });
  });

  it('an untrained residual network forecasts the last close (the naive forecast)', () => {
    const network = ForecastNetwork.initialize(
      {
        sequenceLength: 16,
        featureCount: 9,
        hiddenSize: 12,
        layers: 2,
        dropoutRate: 0,
        residualFeature: CLOSE_INDEX,
      },
      new SeededRandom(3),
    );
    try {
      const predicted = tfPredict(network, windows, batch);

      assert.deepEqual(Array.from(predicted), Array.from(lastValues(windows, batch, CLOSE_INDEX)));
    } finally {
      network.dispose();
    }
  });

  it('the exporter refuses a residual feature that is not an input feature', () => {
    assert.throws(() => exportToOnnx({ ...level, residualFeature: 9 }), InvalidWeightsError);
  });
});
