import type { Config } from '../../../core/config/index.js';
import type { SequenceSet } from '../../../core/features/index.js';
import type { ForecastNetwork } from '../model/network.js';
import type { SeededRandom } from '../model/random.js';
import { compareOutputs, runOnnx } from '../onnx/index.js';
import { predictWindows } from '../train/windows.js';
import { ParityError } from './errors.js';

export interface ParitySummary {
  readonly windows: number;
  readonly maxAbsError: number;
  readonly maxRelError: number;
}

/** onnxruntime-node must give TensorFlow.js's outputs on random windows and on the real test windows. */
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
  const checks = [
    { what: 'random windows', set: randomWindows, expected: predictWindows(network, randomWindows, 256) },
    { what: 'test windows', set: test, expected: tfjsTest },
  ];
  let maxAbsError = 0;
  let maxRelError = 0;
  let windows = 0;
  for (const check of checks) {
    const actual = await runOnnx(onnx, check.set.x, check.set.count, sequenceLength, featureCount);
    const report = compareOutputs(check.expected, actual, tolerance);
    if (!report.ok) throw new ParityError(check.what, report.maxAbsError, report.failures);
    maxAbsError = Math.max(maxAbsError, report.maxAbsError);
    maxRelError = Math.max(maxRelError, report.maxRelError);
    windows += report.count;
  }
  return { windows, maxAbsError, maxRelError };
}
