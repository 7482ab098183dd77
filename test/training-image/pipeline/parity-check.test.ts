import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ForecastNetwork } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { exportToOnnx } from '../../../training-image/src/onnx/export.js';
import { ParityError } from '../../../training-image/src/pipeline/errors.js';
import { checkParity } from '../../../training-image/src/pipeline/parity-check.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { predictWindows } from '../../../training-image/src/train/windows.js';
import { smallConfig } from '../../support/small-config.js';
import { randomWeights, randomWindows } from '../onnx/fixtures.js';

const SHAPE = { sequenceLength: 16, featureCount: 9, hiddenSizes: [12, 12] };
const BATCH = 24;

describe("the pipeline's parity check", () => {
  before(async () => {
    await selectBackend('auto');
  });

  it('passes the exported graph on random and test windows, and fails a graph whose dense head differs', async () => {
    // Prepare
    const weights = randomWeights(SHAPE, 7);
    const network = ForecastNetwork.fromWeights(weights);
    const test = {
      count: BATCH,
      sequenceLength: SHAPE.sequenceLength,
      featureCount: SHAPE.featureCount,
      x: randomWindows(weights, BATCH, 8),
      y: new Float32Array(BATCH),
    };
    const tfjsTest = predictWindows(network, test, 256);
    const config = smallConfig();
    const otherBias = { ...weights, denseBias: Float32Array.of(weights.denseBias[0]! + 0.3) };

    try {
      // Act
      const summary = await checkParity(
        network,
        exportToOnnx(weights),
        test,
        tfjsTest,
        config,
        new SeededRandom(1),
      );
      const mismatch = checkParity(
        network,
        exportToOnnx(otherBias),
        test,
        tfjsTest,
        config,
        new SeededRandom(1),
      );

      // Assess
      assert.equal(summary.windows, BATCH + config.conversion.random_windows);
      await assert.rejects(
        mismatch,
        (error: unknown) => error instanceof ParityError && /random windows/.test(error.message),
      );
    } finally {
      network.dispose();
    }
  });
});
