import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ForecastNetworkWeights } from '../../../training-image/src/model/weights.js';
import { InvalidWeightsError } from '../../../training-image/src/onnx/errors.js';
import { referenceForward } from '../../support/reference-forward.js';
import { randomWeights, randomWindows } from './fixtures.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** One unit, one feature: every gate's weights written out by hand (Keras order i, f, c, o). */
function scalarNetwork(sequenceLength: number): ForecastNetworkWeights {
  return {
    sequenceLength,
    featureCount: 1,
    lstm: [
      {
        inputSize: 1,
        hiddenSize: 1,
        kernel: Float32Array.of(0.5, -0.25, 1, 0.75),
        recurrentKernel: Float32Array.of(0.125, 0.5, -0.5, 0.25),
        bias: Float32Array.of(0.1, 1, -0.2, 0),
      },
    ],
    denseKernel: Float32Array.of(2),
    denseBias: Float32Array.of(-0.5),
  };
}

describe('referenceForward', () => {
  it('computes the Keras LSTM equations step by step', () => {
    // Prepare
    const weights = scalarNetwork(2);
    const xs = [0.5, -1];
    const [k, rk, b] = [weights.lstm[0]!.kernel, weights.lstm[0]!.recurrentKernel, weights.lstm[0]!.bias];
    let h = 0;
    let c = 0;
    for (const x of xs) {
      const z = [0, 1, 2, 3].map((g) => x * k[g]! + h * rk[g]! + b[g]!);
      c = sigmoid(z[1]!) * c + sigmoid(z[0]!) * Math.tanh(z[2]!);
      h = sigmoid(z[3]!) * Math.tanh(c);
    }

    // Act
    const [y] = referenceForward(weights, Float32Array.from(xs));

    // Assess
    assert.ok(Math.abs(y! - (2 * h - 0.5)) < 1e-12, `got ${y}, expected ${2 * h - 0.5}`);
  });

  it('returns the dense bias when every LSTM weight is zero (h stays 0)', () => {
    const weights = randomWeights({ sequenceLength: 4, featureCount: 3, hiddenSizes: [5, 2] }, 1);
    const zeroed: ForecastNetworkWeights = {
      ...weights,
      lstm: weights.lstm.map((layer) => ({
        ...layer,
        kernel: new Float32Array(layer.kernel.length),
        recurrentKernel: new Float32Array(layer.recurrentKernel.length),
        bias: new Float32Array(layer.bias.length),
      })),
    };

    const out = referenceForward(zeroed, randomWindows(zeroed, 3, 2));

    assert.deepEqual([...out], [zeroed.denseBias[0], zeroed.denseBias[0], zeroed.denseBias[0]]);
  });

  it('predicts each window of a batch independently of the others', () => {
    const weights = randomWeights({ sequenceLength: 6, featureCount: 4, hiddenSizes: [8, 8] }, 3);
    const windows = randomWindows(weights, 3, 4);
    const windowSize = 6 * 4;

    const batched = referenceForward(weights, windows);
    const one = referenceForward(weights, windows.slice(windowSize, 2 * windowSize));

    assert.equal(batched.length, 3);
    assert.equal(batched[1], one[0]);
  });

  it('rejects windows that are not a whole number of [L, F] blocks', () => {
    const weights = randomWeights({ sequenceLength: 6, featureCount: 4, hiddenSizes: [8] }, 3);

    assert.throws(() => referenceForward(weights, new Float32Array(25)), RangeError);
  });

  it('rejects inconsistent weights', () => {
    const weights = randomWeights({ sequenceLength: 6, featureCount: 4, hiddenSizes: [8] }, 3);

    assert.throws(
      () => referenceForward({ ...weights, featureCount: 5 }, new Float32Array(30)),
      InvalidWeightsError,
    );
  });
});
