/** Running an exported scale network with onnxruntime-node, and checking it against TensorFlow.js. */
import { Tensor } from 'onnxruntime-node';
import { SCALE_SEQUENCE_CHANNELS } from '../../../core/distribution/scale-sequence.js';
import type { SeededRandom } from '../model/random.js';
import { predictLogScale, standardise, type Standardiser } from '../scale/fit.js';
import type { ScaleNetwork } from '../scale/network.js';
import type { ScaleWindows } from '../scale/windows.js';
import { SCALE_ONNX_IO } from './constants.js';
import { checkInputSize, compareOutputs, runSession } from './parity.js';
import type { ParityReport, ParityTolerance } from './types.js';

const CHANNELS = SCALE_SEQUENCE_CHANNELS.length;

/** What the TensorFlow.js side of the check runs: a ScaleEnsemble is one. */
export interface ScaleParityModel {
  readonly members: readonly ScaleNetwork[];
  readonly standardiser: Standardiser;
}

/**
 * Runs an exported scale network on a batch with onnxruntime-node (CPU) and returns its log_scale, one
 * value per window. The session is released before returning.
 *
 * @param sequences float32 [batch, hours, 2], row-major.
 * @param inputs float32 [batch, d], row-major, raw (not standardised).
 */
export async function runScaleOnnx(
  modelBytes: Uint8Array,
  sequences: Float32Array,
  inputs: Float32Array,
  batch: number,
  hours: number,
  d: number,
): Promise<Float32Array> {
  checkInputSize('sequences', sequences, [batch, hours, CHANNELS]);
  checkInputSize('inputs', inputs, [batch, d]);
  const feeds = {
    [SCALE_ONNX_IO.sequence]: new Tensor('float32', sequences, [batch, hours, CHANNELS]),
    [SCALE_ONNX_IO.inputs]: new Tensor('float32', inputs, [batch, d]),
  };
  return runSession(modelBytes, feeds, SCALE_ONNX_IO.output, batch);
}

/**
 * The exported model's log_scale against TensorFlow.js's (predictLogScale on the same windows, standardised
 * as training standardises them) with numpy.allclose semantics. ONNX gets the raw inputs in float32, as
 * serving feeds them: that rounding is part of what is measured.
 */
export async function checkScaleParity(
  model: ScaleParityModel,
  windows: ScaleWindows,
  bytes: Uint8Array,
  tolerance: ParityTolerance,
): Promise<ParityReport> {
  const expected = predictLogScale(model.members, windows, standardise(windows, model.standardiser));
  const actual = await runScaleOnnx(
    bytes,
    windows.sequences,
    Float32Array.from(windows.inputs),
    windows.count,
    windows.hours,
    windows.inputCount,
  );
  return compareOutputs(expected, actual, tolerance);
}

/**
 * `count` seeded random windows of the given sizes: each hour's return over sigma in [-3, 3) and its range
 * over sigma in [0, 4) (where real hours mostly fall), and each input within 3 sd of its training mean.
 * Only the network's inputs are filled; B1's sigma is 1 and the next return 0.
 */
export function randomScaleWindows(
  random: SeededRandom,
  count: number,
  hours: number,
  standardiser: Standardiser,
): ScaleWindows {
  const inputCount = standardiser.mean.length;
  const sequences = random.uniform(count * hours * CHANNELS, -3, 3);
  for (let k = 1; k < sequences.length; k += CHANNELS) sequences[k] = (sequences[k]! + 3) * (2 / 3);
  const z = random.uniform(count * inputCount, -3, 3);
  // Float32-representable raw inputs, so that both sides of the check read exactly the same numbers.
  const inputs = Float64Array.from(z, (value, k) =>
    Math.fround(standardiser.mean[k % inputCount]! + value * standardiser.sd[k % inputCount]!),
  );
  return {
    count,
    hours,
    channels: CHANNELS,
    inputCount,
    sequences,
    inputs,
    sigmaB1: new Float64Array(count).fill(1),
    logReturn: new Float64Array(count),
  };
}
