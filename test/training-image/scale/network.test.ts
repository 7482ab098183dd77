import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_SCALE_INPUTS,
  GAUSSIAN,
  correctedSigma,
  unitFamily,
} from '../../../core/distribution/index.js';
import { stepsFromTimeMajor, toTimeMajor } from '../../../training-image/src/model/batch-layout.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { fitScaleMember, predictLogScale, standardise } from '../../../training-image/src/scale/fit.js';
import { ScaleNetwork } from '../../../training-image/src/scale/network.js';
import { scaleWindows, type ScaleWindows } from '../../../training-image/src/scale/windows.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { hourlyCandles } from '../../support/candles-csv.js';
import { linearOn, STUDENT_T } from './linear-correction.js';

const WINDOW = 24;
const HOURS = 8;

function windowsOf(seed: number, count: number): ScaleWindows {
  const candles = hourlyCandles(WINDOW + count + 1, seed);
  return scaleWindows(
    candles,
    { first: WINDOW - 1, count },
    { windowLength: WINDOW, hours: HOURS, inputs: DEFAULT_SCALE_INPUTS },
  );
}

describe('the scale network', () => {
  before(async () => {
    await selectBackend('auto');
  });

  it('untrained, is the linear correction it starts from (its LSTM contributes exactly nothing)', () => {
    // Arrange
    const windows = windowsOf(3, 300);
    const linear = linearOn(windows);
    const network = ScaleNetwork.initialize(
      { hours: HOURS, channels: windows.channels, hiddenSize: 6, linearInputs: windows.inputCount },
      { weights: linear.weights, bias: linear.bias },
      new SeededRandom(1),
    );

    // Act
    const logScale = predictLogScale([network], windows, standardise(windows, linear));

    // Assess: the served scale of each window, B1 x exp(log_scale), is the correction's to float32 precision.
    const d = windows.inputCount;
    for (let i = 0; i < windows.count; i += 1) {
      const expected = Math.log(
        correctedSigma(linear, windows.inputs.subarray(i * d, (i + 1) * d), windows.sigmaB1[i]!) /
          windows.sigmaB1[i]!,
      );
      assert.ok(Math.abs(logScale[i]! - expected) < 2e-6, `window ${i}: ${logScale[i]} vs ${expected}`);
    }
    assert.ok(network.toWeights().headKernel.every((w) => w === 0));
    network.dispose();
  });

  it('keeps the untrained network, weight for weight, when no epoch beats it on validation', () => {
    // Arrange: a learning rate of 0 leaves every epoch exactly as good as the start, never better.
    const train = windowsOf(5, 200);
    const val = windowsOf(6, 80);
    const linear = linearOn(train);
    const start = ScaleNetwork.initialize(
      { hours: HOURS, channels: train.channels, hiddenSize: 4, linearInputs: train.inputCount },
      { weights: linear.weights, bias: linear.bias },
      new SeededRandom(9),
    );
    const before = start.toWeights();
    start.dispose();

    // Act
    const fit = fitScaleMember(
      train,
      val,
      { standardiser: linear, linear },
      {
        family: STUDENT_T,
        hiddenSize: 4,
        learningRate: 0,
        weightDecay: 0,
        batchSize: 64,
        patience: 2,
        maxEpochs: 5,
        seed: 9,
      },
    );

    // Assess
    assert.equal(fit.bestEpoch, 0);
    assert.equal(fit.history.length, 2);
    assert.equal(fit.bestValLoss, fit.startValLoss);
    const after = fit.network.toWeights();
    assert.deepEqual(after.lstm.kernel, before.lstm.kernel);
    assert.deepEqual(after.linearKernel, before.linearKernel);
    assert.deepEqual(after.linearBias, before.linearBias);
    fit.network.dispose();
  });

  it('gives the gradients of TensorFlow.js autodiff through the same forward pass (Gaussian CRPS)', () => {
    // Arrange
    const windows = windowsOf(11, 12);
    const random = new SeededRandom(4);
    const network = ScaleNetwork.initialize(
      { hours: HOURS, channels: windows.channels, hiddenSize: 5, linearInputs: windows.inputCount },
      { weights: Array.from(random.uniform(windows.inputCount, -0.2, 0.2)), bias: 0.1 },
      random,
      { lstmPath: 'ops' },
    );
    // A head away from zero, so that the LSTM's gradients are not zero.
    network.assignWeights({ ...network.toWeights(), headKernel: random.uniform(5, -0.5, 0.5) });
    const z = standardise(windows, {
      mean: new Array(windows.inputCount).fill(0),
      sd: new Array(windows.inputCount).fill(1),
    });
    const indices = Uint32Array.from({ length: windows.count }, (_, k) => k);
    const timeMajor = toTimeMajor(windows.sequences, indices, HOURS, windows.channels);

    // Act
    const mine = tf.tidy(() => {
      const steps = stepsFromTimeMajor(timeMajor, HOURS, windows.channels);
      const { grads } = network.lossAndGradients(
        steps,
        tf.tensor2d(z, [windows.count, windows.inputCount]),
        windows,
        unitFamily(GAUSSIAN),
      );
      return grads.map((g) => Array.from(g.dataSync()));
    });
    const reference = tf.tidy(() => {
      const steps = stepsFromTimeMajor(timeMajor, HOURS, windows.channels);
      const zT = tf.tensor2d(z, [windows.count, windows.inputCount]);
      const base = tf.tensor2d(Float32Array.from(windows.sigmaB1), [windows.count, 1]);
      const y = tf.tensor2d(Float32Array.from(windows.logReturn), [windows.count, 1]);
      const variables = network.trainableVariables();
      const { grads } = tf.variableGrads(() => {
        // CRPS of N(0, sigma^2) at y, over sigma_B1: sigma [u (2 Phi(u) - 1) + 2 phi(u) - 1/sqrt(pi)] / base.
        const sigma = tf.mul(base, tf.exp(network.predict(steps, zT)));
        const u = tf.div(y, sigma);
        const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.div(u, Math.SQRT2))));
        const pdf = tf.div(tf.exp(tf.mul(-0.5, tf.square(u))), Math.sqrt(2 * Math.PI));
        const crps = tf.mul(
          sigma,
          tf.sub(tf.add(tf.mul(u, tf.sub(tf.mul(2, cdf), 1)), tf.mul(2, pdf)), 1 / Math.sqrt(Math.PI)),
        );
        return tf.mean(tf.div(crps, base)) as tf.Scalar;
      }, variables);
      return variables.map((v) => Array.from(grads[v.name]!.dataSync()));
    });

    // Assess
    mine.forEach((grad, i) => {
      const expected = reference[i]!;
      const scale = Math.max(...expected.map(Math.abs), 1e-12);
      const worst = Math.max(...grad.map((g, k) => Math.abs(g - expected[k]!)));
      assert.ok(worst / scale < 2e-3, `variable ${i}: relative error ${worst / scale}`);
    });
    network.dispose();
  });
});
