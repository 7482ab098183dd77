import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { stepsFromTimeMajor, toTimeMajor } from '../../../training-image/src/model/batch-layout.js';
import { ForecastNetwork } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import type { ForecastNetworkWeights } from '../../../training-image/src/model/weights.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';

/**
 * The reference: the same network from TensorFlow.js's own layers (batch-major,
 * autodiff through tf.layers.lstm), which the fused fast path must reproduce.
 */
function referenceModel(weights: ForecastNetworkWeights): tf.Sequential {
  const model = tf.sequential();
  weights.lstm.forEach((layer, index) => {
    model.add(
      tf.layers.lstm({
        units: layer.hiddenSize,
        returnSequences: index < weights.lstm.length - 1,
        recurrentActivation: 'sigmoid',
        ...(index === 0 ? { inputShape: [weights.sequenceLength, weights.featureCount] } : {}),
      }),
    );
  });
  model.add(tf.layers.dense({ units: 1 }));
  const tensors: tf.Tensor[] = [];
  for (const layer of weights.lstm) {
    tensors.push(tf.tensor2d(layer.kernel, [layer.inputSize, 4 * layer.hiddenSize]));
    tensors.push(tf.tensor2d(layer.recurrentKernel, [layer.hiddenSize, 4 * layer.hiddenSize]));
    tensors.push(tf.tensor1d(layer.bias));
  }
  const hidden = weights.lstm[weights.lstm.length - 1]?.hiddenSize ?? 0;
  tensors.push(tf.tensor2d(weights.denseKernel, [hidden, 1]), tf.tensor1d(weights.denseBias));
  model.setWeights(tensors);
  tf.dispose(tensors);
  return model;
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)) / (scale || 1));
  }
  return worst;
}

const shapes = [
  { layers: 1, hiddenSize: 4, sequenceLength: 5, batch: 3 },
  { layers: 2, hiddenSize: 8, sequenceLength: 7, batch: 4 },
  { layers: 3, hiddenSize: 5, sequenceLength: 3, batch: 2 },
];

describe('ForecastNetwork hand-written LSTM', () => {
  before(async () => {
    await selectBackend('auto');
  });

  for (const [shape, lstmPath] of shapes.flatMap((s) => [[s, 'fused'] as const, [s, 'ops'] as const])) {
    it(`${lstmPath} path matches tf.layers.lstm in value and gradients (${shape.layers} x ${shape.hiddenSize}, T=${shape.sequenceLength})`, () => {
      // Prepare
      const featureCount = 9;
      const random = new SeededRandom(7 + shape.layers);
      const network = ForecastNetwork.initialize({ ...shape, featureCount, dropoutRate: 0 }, random, {
        lstmPath,
      });
      assert.equal(network.lstmPath, lstmPath);
      const weights = network.toWeights();
      const reference = referenceModel(weights);
      const windows = random.uniform(shape.batch * shape.sequenceLength * featureCount, -1, 1);
      const labels = random.uniform(shape.batch, -1, 1);
      const indices = Array.from({ length: shape.batch }, (_, i) => i);
      const timeMajor = toTimeMajor(windows, indices, shape.sequenceLength, featureCount);

      // Act
      const fast = tf.tidy(() => {
        const steps = stepsFromTimeMajor(timeMajor, shape.sequenceLength, featureCount);
        const y = tf.tensor2d(labels, [shape.batch, 1]);
        const { loss, grads } = network.lossAndGradients(steps, y);
        return {
          loss: loss.dataSync()[0] as number,
          grads: grads.map((g) => g.dataSync() as Float32Array),
          out: network.predict(steps).dataSync() as Float32Array,
        };
      });
      const slow = tf.tidy(() => {
        const x = tf.tensor3d(windows, [shape.batch, shape.sequenceLength, featureCount]);
        const y = tf.tensor2d(labels, [shape.batch, 1]);
        const variables = reference.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(
          () => tf.losses.meanSquaredError(y, reference.predict(x) as tf.Tensor) as tf.Scalar,
          variables,
        );
        return {
          loss: value.dataSync()[0] as number,
          grads: variables.map((v) => grads[v.name]?.dataSync() as Float32Array),
          out: (reference.predict(x) as tf.Tensor).dataSync() as Float32Array,
        };
      });

      // Assess
      assert.ok(maxRelativeError(fast.out, slow.out) < 1e-4, 'forward pass differs');
      assert.ok(Math.abs(fast.loss - slow.loss) / Math.abs(slow.loss) < 1e-4, 'loss differs');
      assert.equal(fast.grads.length, slow.grads.length);
      fast.grads.forEach((grad, i) => {
        const expected = slow.grads[i] as Float32Array;
        assert.equal(grad.length, expected.length, `gradient ${i} has the wrong size`);
        const error = maxRelativeError(grad, expected);
        assert.ok(error < 1e-4, `gradient ${i} differs: relative error ${error}`);
      });
      reference.dispose();
      network.dispose();
    });
  }

  it('fused and op-by-op paths agree with dropout drawn from the same seed, residual head included', () => {
    const shape = { layers: 3, hiddenSize: 6, sequenceLength: 5, featureCount: 9, dropoutRate: 0.3 };
    const batch = 4;
    const init = new SeededRandom(21);
    const initial = ForecastNetwork.initialize({ ...shape, residualFeature: 7 }, init);
    // A non-zero head, so the gradients reach the LSTM layers.
    const weights = { ...initial.toWeights(), denseKernel: init.uniform(shape.hiddenSize, -0.5, 0.5) };
    initial.dispose();
    const windows = init.uniform(batch * shape.sequenceLength * shape.featureCount, -1, 1);
    const labels = init.uniform(batch, -1, 1);
    const timeMajor = toTimeMajor(windows, [0, 1, 2, 3], shape.sequenceLength, shape.featureCount);

    const run = (lstmPath: 'fused' | 'ops') => {
      const network = ForecastNetwork.fromWeights(weights, { lstmPath, dropoutRate: shape.dropoutRate });
      const result = tf.tidy(() => {
        const steps = stepsFromTimeMajor(timeMajor, shape.sequenceLength, shape.featureCount);
        const { loss, grads } = network.lossAndGradients(steps, tf.tensor2d(labels, [batch, 1]), {
          dropout: new SeededRandom(99),
        });
        return { loss: loss.dataSync()[0] as number, grads: grads.map((g) => g.dataSync() as Float32Array) };
      });
      network.dispose();
      return result;
    };
    const fused = run('fused');
    const ops = run('ops');

    assert.ok(
      Math.abs(fused.loss - ops.loss) / Math.abs(ops.loss) < 1e-5,
      `loss ${fused.loss} vs ${ops.loss}`,
    );
    fused.grads.forEach((grad, i) => {
      const error = maxRelativeError(grad, ops.grads[i] as Float32Array);
      assert.ok(error < 1e-4, `gradient ${i} differs: relative error ${error}`);
    });
  });

  it('residual head with an output scale: hand-written gradients equal autodiff of the forward pass', () => {
    const shape = { layers: 2, hiddenSize: 8, sequenceLength: 6, featureCount: 9, dropoutRate: 0 };
    const batch = 5;
    const init = new SeededRandom(31);
    const network = ForecastNetwork.initialize({ ...shape, residualFeature: 7, outputScale: 0.02 }, init, {
      lstmPath: 'fused',
    });
    network.assignWeights({ ...network.toWeights(), denseKernel: init.uniform(shape.hiddenSize, -0.5, 0.5) });
    const opByOp = ForecastNetwork.fromWeights(network.toWeights(), { lstmPath: 'ops' });
    const windows = init.uniform(batch * shape.sequenceLength * shape.featureCount, -1, 1);
    const labels = init.uniform(batch, -1, 1);
    const timeMajor = toTimeMajor(windows, [0, 1, 2, 3, 4], shape.sequenceLength, shape.featureCount);

    const fast = tf.tidy(() => {
      const steps = stepsFromTimeMajor(timeMajor, shape.sequenceLength, shape.featureCount);
      const { grads } = network.lossAndGradients(steps, tf.tensor2d(labels, [batch, 1]));
      return grads.map((g) => g.dataSync() as Float32Array);
    });
    // TensorFlow.js's autodiff through the op-by-op forward pass, scale and residual included.
    const reference = tf.tidy(() => {
      const steps = stepsFromTimeMajor(timeMajor, shape.sequenceLength, shape.featureCount);
      const y = tf.tensor2d(labels, [batch, 1]);
      const variables = opByOp.trainableVariables();
      const { grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(opByOp.predict(steps), y))) as tf.Scalar,
        variables,
      );
      return variables.map((v) => grads[v.name]?.dataSync() as Float32Array);
    });

    fast.forEach((grad, i) => {
      const error = maxRelativeError(grad, reference[i] as Float32Array);
      assert.ok(error < 1e-4, `gradient ${i} differs: relative error ${error}`);
    });
    network.dispose();
    opByOp.dispose();
  });

  it('round-trips its weights', () => {
    const network = ForecastNetwork.initialize(
      { layers: 2, hiddenSize: 3, sequenceLength: 4, featureCount: 9, dropoutRate: 0.2 },
      new SeededRandom(1),
    );
    const copy = ForecastNetwork.fromWeights(network.toWeights());
    assert.deepEqual(copy.toWeights(), network.toWeights());
    network.dispose();
    copy.dispose();
  });
});
