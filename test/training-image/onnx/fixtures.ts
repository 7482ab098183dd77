/** Seeded random weights and windows, and model decoding helpers, for the ONNX export tests. */
import type { ForecastNetworkWeights, LstmLayerWeights } from '../../../training-image/src/model/weights.js';
import type { Gate } from '../../../training-image/src/onnx/lstm-layout.js';
import { KERAS_GATE_ORDER } from '../../../training-image/src/onnx/lstm-layout.js';
import type { DecodedModel, ValueInfoProto } from '../../../training-image/src/onnx/proto.js';
import { onnx } from '../../../training-image/src/onnx/proto.js';

import { mulberry32 } from '../../../core/random/mulberry32.js';

export { mulberry32 };

function uniform(random: () => number, length: number, limit: number): Float32Array {
  return Float32Array.from({ length }, () => (2 * random() - 1) * limit);
}

export interface NetworkShape {
  readonly sequenceLength: number;
  readonly featureCount: number;
  /** Hidden size of each stacked LSTM layer. */
  readonly hiddenSizes: readonly number[];
}

/**
 * Random weights with Glorot-like scale (limit sqrt(6 / (fan_in + fan_out))), enlarged so
 * the gates leave their linear region, and biases large enough to matter.
 */
export function randomWeights(shape: NetworkShape, seed: number): ForecastNetworkWeights {
  const random = mulberry32(seed);
  let inputSize = shape.featureCount;
  const lstm: LstmLayerWeights[] = shape.hiddenSizes.map((hiddenSize) => {
    const layer: LstmLayerWeights = {
      inputSize,
      hiddenSize,
      kernel: uniform(random, inputSize * 4 * hiddenSize, 2 * Math.sqrt(6 / (inputSize + 4 * hiddenSize))),
      recurrentKernel: uniform(random, hiddenSize * 4 * hiddenSize, 2 * Math.sqrt(6 / (5 * hiddenSize))),
      bias: uniform(random, 4 * hiddenSize, 0.5),
    };
    inputSize = hiddenSize;
    return layer;
  });
  return {
    sequenceLength: shape.sequenceLength,
    featureCount: shape.featureCount,
    lstm,
    denseKernel: uniform(random, inputSize, Math.sqrt(6 / (inputSize + 1))),
    denseBias: uniform(random, 1, 0.5),
  };
}

/** `batch` windows of scaled features in [-1, 1], [batch * L * F]. */
export function randomWindows(weights: ForecastNetworkWeights, batch: number, seed: number): Float32Array {
  return uniform(mulberry32(seed), batch * weights.sequenceLength * weights.featureCount, 1);
}

function swapColumnBlocks(matrix: Float32Array, hiddenSize: number, a: number, b: number): Float32Array {
  const columns = 4 * hiddenSize;
  const out = Float32Array.from(matrix);
  for (let row = 0; row < matrix.length / columns; row += 1) {
    for (let unit = 0; unit < hiddenSize; unit += 1) {
      out[row * columns + a * hiddenSize + unit] = matrix[row * columns + b * hiddenSize + unit] ?? 0;
      out[row * columns + b * hiddenSize + unit] = matrix[row * columns + a * hiddenSize + unit] ?? 0;
    }
  }
  return out;
}

/**
 * The same weights with two Keras gates' blocks exchanged in every layer: exporting them
 * is what an exporter that confused those two gates would produce.
 */
export function withGatesSwapped(
  weights: ForecastNetworkWeights,
  first: Gate,
  second: Gate,
): ForecastNetworkWeights {
  const a = KERAS_GATE_ORDER.indexOf(first);
  const b = KERAS_GATE_ORDER.indexOf(second);
  return {
    ...weights,
    lstm: weights.lstm.map((layer) => ({
      ...layer,
      kernel: swapColumnBlocks(layer.kernel, layer.hiddenSize, a, b),
      recurrentKernel: swapColumnBlocks(layer.recurrentKernel, layer.hiddenSize, a, b),
      bias: swapColumnBlocks(layer.bias, layer.hiddenSize, a, b),
    })),
  };
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  return onnx.ModelProto.decode(bytes);
}

/** protobufjs decodes int64 fields as Long objects when the long package is present. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return Number.NaN;
  return typeof value === 'number' ? value : value.toNumber();
}

/** A value's dims as numbers (dim_value) or strings (dim_param). */
export function tensorDims(info: ValueInfoProto | null | undefined): (number | string)[] {
  const dims = info?.type?.tensorType?.shape?.dim ?? [];
  return dims.map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue)));
}
