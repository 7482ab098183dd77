/**
 * The scale head in the exported graph: a second output `log_scale` beside the unchanged `output`,
 * equal to TensorFlow.js's, and checked by the pipeline's parity check.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CLOSE_INDEX } from '../../../core/features/index.js';
import { ONNX_IO } from '../../../adapters/inference/onnx-io.js';
import { ForecastNetwork } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import type { ForecastNetworkWeights } from '../../../training-image/src/model/weights.js';
import { InvalidWeightsError } from '../../../training-image/src/onnx/errors.js';
import { exportToOnnx } from '../../../training-image/src/onnx/export.js';
import { compareOutputs, runOnnxOutputs } from '../../../training-image/src/onnx/parity.js';
import { ParityError } from '../../../training-image/src/pipeline/errors.js';
import { checkParity } from '../../../training-image/src/pipeline/parity-check.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { predictWindowOutputs } from '../../../training-image/src/train/windows.js';
import { checkOnnxModel } from '../../support/onnx-checker.js';
import { smallConfig } from '../../support/small-config.js';
import { decodeModel, randomWeights, randomWindows } from './fixtures.js';

const TOLERANCE = { atol: 1e-5, rtol: 1e-3 };
const SHAPE = { sequenceLength: 16, featureCount: 9, hiddenSizes: [12, 12] };
const BATCH = 24;

/** Random weights in residual mode with a non-zero scale head, so both outputs carry information. */
function headed(seed: number): ForecastNetworkWeights {
  const plain = randomWeights(SHAPE, seed);
  const random = new SeededRandom(seed);
  return {
    ...plain,
    residualFeature: CLOSE_INDEX,
    outputScale: 0.02,
    scaleHead: { kernel: random.uniform(12, -0.6, 0.6), bias: random.uniform(1, -0.4, 0.4) },
  };
}

function windowSet(weights: ForecastNetworkWeights, seed: number) {
  return {
    count: BATCH,
    sequenceLength: SHAPE.sequenceLength,
    featureCount: SHAPE.featureCount,
    x: randomWindows(weights, BATCH, seed),
  };
}

describe('ONNX export of the scale head', () => {
  before(async () => {
    await selectBackend('auto');
  });

  it("adds 'log_scale' after 'output', equal to TensorFlow.js's; 'output' is what the graph without the head gives", async () => {
    // Prepare
    const weights = headed(3);
    const { scaleHead: _, ...withoutHead } = weights;
    const set = windowSet(weights, 4);
    const network = ForecastNetwork.fromWeights(weights);
    const expected = predictWindowOutputs(network, set, 256);
    network.dispose();

    // Act
    const model = exportToOnnx(weights);
    const actual = await runOnnxOutputs(model, set.x, BATCH, SHAPE.sequenceLength, SHAPE.featureCount);
    const older = await runOnnxOutputs(
      exportToOnnx(withoutHead),
      set.x,
      BATCH,
      SHAPE.sequenceLength,
      SHAPE.featureCount,
    );

    // Assess
    const outputs = decodeModel(model).graph?.output?.map((o) => o.name);
    assert.deepEqual(outputs, [ONNX_IO.output, ONNX_IO.logScale]);
    assert.ok(expected.logScale !== null && actual.logScale !== null);
    assert.ok(
      expected.logScale.some((z) => Math.abs(z) > 0.05),
      'log_scale is not trivially zero',
    );
    const logScale = compareOutputs(expected.logScale, actual.logScale, TOLERANCE);
    assert.ok(logScale.ok, `log_scale max abs error ${logScale.maxAbsError}`);
    assert.ok(compareOutputs(expected.forecast, actual.output, TOLERANCE).ok);
    assert.deepEqual(actual.output, older.output, 'the head changes nothing in output');
    assert.equal(older.logScale, null);
    assert.deepEqual(
      decodeModel(exportToOnnx(withoutHead)).graph?.output?.map((o) => o.name),
      [ONNX_IO.output],
    );
  });

  it('passes the official ONNX checker', async (t) => {
    const result = await checkOnnxModel(exportToOnnx(headed(5)));
    if (result.status === 'skipped') {
      t.skip(`ONNX checker not run: ${result.reason}`);
      return;
    }
    assert.deepEqual(result.opsets, { 'ai.onnx': 17 });
  });

  it('refuses a scale head whose kernel does not match the hidden size', () => {
    const weights = headed(6);
    assert.throws(
      () =>
        exportToOnnx({ ...weights, scaleHead: { kernel: new Float32Array(5), bias: new Float32Array(1) } }),
      (error: unknown) =>
        error instanceof InvalidWeightsError && /scaleHead\.kernel has 5 values/.test(error.message),
    );
  });

  it("the pipeline's parity check compares log_scale too, and fails on a graph whose head differs", async () => {
    // Prepare
    const weights = headed(7);
    const network = ForecastNetwork.fromWeights(weights);
    const test = { ...windowSet(weights, 8), y: new Float32Array(BATCH) };
    const tfjsTest = predictWindowOutputs(network, test, 256).forecast;
    const config = smallConfig();
    const otherHead = { ...weights, scaleHead: { ...weights.scaleHead!, bias: Float32Array.of(0.3) } };

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
      exportToOnnx(otherHead),
      test,
      tfjsTest,
      config,
      new SeededRandom(1),
    );

    // Assess
    assert.equal(summary.windows, BATCH + config.conversion.random_windows);
    await assert.rejects(
      mismatch,
      (error: unknown) => error instanceof ParityError && /log_scale/.test(error.message),
    );
    network.dispose();
  });
});
