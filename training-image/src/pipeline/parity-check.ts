import type { Config } from '../../../core/config/index.js';
import type { SequenceSet } from '../../../core/features/index.js';
import type { ForecastNetwork } from '../model/network.js';
import type { SeededRandom } from '../model/random.js';
import { compareOutputs, runOnnxOutputs } from '../onnx/index.js';
import { predictWindowOutputs } from '../train/windows.js';
import { ParityError } from './errors.js';

export interface ParitySummary {
  readonly windows: number;
  readonly maxAbsError: number;
  readonly maxRelError: number;
}

/**
 * onnxruntime-node must give TensorFlow.js's outputs on random windows and on the real test windows:
 * the forecast, and the scale head's log_scale when the network has one.
 */
export async function checkParity(
  network: ForecastNetwork,
  onnx: Uint8Array,
  test: SequenceSet,
  tfjsTest: Float32Array,
  config: Config,
  random: SeededRandom,
): Promise<ParitySummary> {
  const tolerance = { atol: config.conversion.atol, rtol: config.conversion.rtol };
  const { sequenceLength, featureCount } = test;
  const count = config.conversion.random_windows;
  const randomWindows = {
    count,
    sequenceLength,
    featureCount,
    x: random.uniform(count * sequenceLength * featureCount, -1, 1),
  };
  const randomOutputs = predictWindowOutputs(network, randomWindows, 256);
  // The test forecasts were predicted already; the scale head's outputs on them were not.
  const testLogScale = network.hasScaleHead ? predictWindowOutputs(network, test, 256).logScale : null;
  const checks = [
    {
      what: 'random windows',
      set: randomWindows,
      output: randomOutputs.forecast,
      logScale: randomOutputs.logScale,
    },
    { what: 'test windows', set: test, output: tfjsTest, logScale: testLogScale },
  ];
  let maxAbsError = 0;
  let maxRelError = 0;
  let windows = 0;
  for (const check of checks) {
    const actual = await runOnnxOutputs(onnx, check.set.x, check.set.count, sequenceLength, featureCount);
    const pairs = [
      { what: check.what, expected: check.output, actual: actual.output },
      ...(check.logScale === null
        ? []
        : [{ what: `${check.what}, log_scale`, expected: check.logScale, actual: actual.logScale }]),
    ];
    for (const pair of pairs) {
      if (pair.actual === null)
        throw new ParityError(
          `${pair.what} (the ONNX graph has no log_scale output)`,
          Infinity,
          pair.expected.length,
        );
      const report = compareOutputs(pair.expected, pair.actual, tolerance);
      if (!report.ok) throw new ParityError(pair.what, report.maxAbsError, report.failures);
      maxAbsError = Math.max(maxAbsError, report.maxAbsError);
      maxRelError = Math.max(maxRelError, report.maxRelError);
    }
    windows += check.set.count;
  }
  return { windows, maxAbsError, maxRelError };
}
