/**
 * A small shared scale network with random weights, exported to ONNX as training exports it, and the
 * distribution.json that serves it: for the tests that serve the network without training one.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_SCALE_INPUTS,
  GAUSSIAN,
  SCALE_NETWORK_FILE,
  SCALE_SEQUENCE_CHANNELS,
  b1Distribution,
  scaleInputNames,
  type ForecastDistribution,
  type SharedNetwork,
} from '../../core/distribution/index.js';
import { SeededRandom } from '../../training-image/src/model/random.js';
import { exportScaleNetworkToOnnx } from '../../training-image/src/onnx/scale-export.js';
import type { Standardiser } from '../../training-image/src/scale/fit.js';
import { ScaleNetwork, type ScaleMemberWeights } from '../../training-image/src/scale/network.js';
import { scaleWindows } from '../../training-image/src/scale/windows.js';
import { CANDLES } from './support.js';

/** The served model's window (publishSynthetic's sequence length) and the network's hours. */
export const WINDOW = 12;
export const HOURS = 8;
const D = scaleInputNames(DEFAULT_SCALE_INPUTS).length;

/** Two members with random recurrent weights and a non-zero head: the LSTM moves the scale. */
export function randomMembers(): ScaleMemberWeights[] {
  const random = new SeededRandom(17);
  return [0, 1].map(() => {
    const start = { weights: random.uniform(D, -0.1, 0.1), bias: 0.05 };
    const shape = { hours: HOURS, channels: SCALE_SEQUENCE_CHANNELS.length, hiddenSize: 4, linearInputs: D };
    const network = ScaleNetwork.initialize(shape, { weights: [...start.weights], bias: start.bias }, random);
    const weights = network.toWeights();
    network.dispose();
    return { ...weights, headKernel: random.uniform(4, -0.5, 0.5), headBias: Float32Array.of(0.02) };
  });
}

/** distribution.json's `scale.network` for `onnx`, trained (it says) on BTC and ETH. */
export function networkSpec(onnx: Uint8Array): SharedNetwork {
  return {
    file: SCALE_NETWORK_FILE,
    sha256: createHash('sha256').update(onnx).digest('hex'),
    run: '20261126T080000Z-shared0',
    hours: HOURS,
    channels: [...SCALE_SEQUENCE_CHANNELS],
    inputs: DEFAULT_SCALE_INPUTS,
    members: 2,
    hidden_size: 4,
    trained_on: ['BTC/USDT', 'ETH/USDT'],
    pooled_calibration: {
      method: 'split_conformal',
      family: GAUSSIAN,
      windows: 100,
      reference_level: 0.9,
      scale: 1,
      levels: [{ level: 0.9, multiplier: 1 }],
    },
  };
}

/** A distribution.json that serves `network`, chosen on validation, uncalibrated. */
export function servingNetwork(network: SharedNetwork): ForecastDistribution {
  return {
    ...b1Distribution(WINDOW),
    scale: { kind: 'shared_network', network },
    selection: { served: 'shared_network', network_val_crps_bp: 41.5, linear_val_crps_bp: 42 },
  };
}

/** randomMembers exported to ONNX with candleStandardiser, as training exports a network. */
export function randomNetworkOnnx(): Uint8Array {
  return exportScaleNetworkToOnnx(randomMembers(), candleStandardiser());
}

/** The linear inputs' own mean and sd over the test candles, as the linear correction's fit computes them. */
export function candleStandardiser(): Standardiser {
  const fit = scaleWindows(
    CANDLES,
    { first: WINDOW - 1, count: 400 },
    { windowLength: WINDOW, hours: HOURS, inputs: DEFAULT_SCALE_INPUTS },
  );
  const means = Array.from({ length: D }, (_, j) => columnMean(fit.inputs, j));
  const squares = fit.inputs.map((v, i) => (v - means[i % D]!) ** 2);
  return { mean: means, sd: means.map((_, j) => Math.sqrt(columnMean(squares, j)) || 1) };
}

/** The mean of column j of a row-major [n, D] array. */
function columnMean(values: ArrayLike<number>, j: number): number {
  let sum = 0;
  let n = 0;
  for (let i = j; i < values.length; i += D) {
    sum += values[i]!;
    n += 1;
  }
  return sum / n;
}
