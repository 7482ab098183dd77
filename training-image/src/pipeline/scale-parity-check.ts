import type { Config } from '../../../core/config/index.js';
import type { SeededRandom } from '../model/random.js';
import { checkScaleParity, randomScaleWindows, type ScaleParityModel } from '../onnx/scale-parity.js';
import type { ScaleWindows } from '../scale/windows.js';
import { ParityError } from './errors.js';
import type { ParitySummary } from './parity-check.js';

/**
 * onnxruntime-node must give TensorFlow.js's log_scale for the shared scale network, on
 * conversion.random_windows seeded random windows and on the real test windows, within conversion.atol
 * and rtol: the same gate as the point model's (checkParity).
 *
 * @throws ParityError naming the windows that failed.
 */
export async function checkScaleNetworkParity(
  model: ScaleParityModel,
  onnx: Uint8Array,
  test: ScaleWindows,
  conversion: Pick<Config['conversion'], 'atol' | 'rtol' | 'random_windows'>,
  random: SeededRandom,
): Promise<ParitySummary> {
  const tolerance = { atol: conversion.atol, rtol: conversion.rtol };
  const checks = [
    {
      what: 'random scale windows',
      windows: randomScaleWindows(random, conversion.random_windows, test.hours, model.standardiser),
    },
    { what: 'test scale windows', windows: test },
  ];
  let maxAbsError = 0;
  let maxRelError = 0;
  let windows = 0;
  for (const check of checks) {
    const report = await checkScaleParity(model, check.windows, onnx, tolerance);
    if (!report.ok) throw new ParityError(check.what, report.maxAbsError, report.failures);
    maxAbsError = Math.max(maxAbsError, report.maxAbsError);
    maxRelError = Math.max(maxRelError, report.maxRelError);
    windows += report.count;
  }
  return { windows, maxAbsError, maxRelError };
}
