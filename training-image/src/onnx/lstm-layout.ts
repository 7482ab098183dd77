/**
 * Keras (TensorFlow.js) LSTM weights to the ONNX LSTM operator's layout.
 *
 * Keras: x_t @ kernel with kernel [in, 4H], h @ recurrentKernel [H, 4H], bias [4H];
 *        the 4H columns are four H-wide blocks in gate order i, f, c, o.
 * ONNX:  W [1, 4H, in] and R [1, 4H, H] are applied as x_t @ W^T (each gate's weights
 *        are rows), B [1, 8H] = Wb then Rb; the 4H rows are blocks in gate order i, o, f, c.
 * Both use sigmoid for i, f, o and tanh for the candidate c and the cell output.
 */
import type { LstmLayerWeights } from '../model/weights.js';

export const GATE = { input: 'input', forget: 'forget', cell: 'cell', output: 'output' } as const;
export type Gate = (typeof GATE)[keyof typeof GATE];

export const KERAS_GATE_ORDER: readonly Gate[] = [GATE.input, GATE.forget, GATE.cell, GATE.output];
export const ONNX_GATE_ORDER: readonly Gate[] = [GATE.input, GATE.output, GATE.forget, GATE.cell];

/** One layer's tensors for the ONNX LSTM operator (num_directions = 1), row-major. */
export interface OnnxLstmTensors {
  /** [1, 4H, inputSize] */
  readonly w: Float32Array;
  /** [1, 4H, hiddenSize] */
  readonly r: Float32Array;
  /** [1, 8H]: the Keras bias in ONNX gate order (Wb), then zeros (Rb). */
  readonly b: Float32Array;
}

/**
 * Transposes a Keras [rows, 4H] matrix to ONNX's [4H, rows], moving each gate's block
 * from its Keras position to its ONNX position.
 */
function toGateRows(matrix: Float32Array, rows: number, hiddenSize: number): Float32Array {
  const columns = 4 * hiddenSize;
  const out = new Float32Array(columns * rows);
  ONNX_GATE_ORDER.forEach((gate, onnxBlock) => {
    const kerasBlock = KERAS_GATE_ORDER.indexOf(gate);
    for (let unit = 0; unit < hiddenSize; unit += 1) {
      const outRow = onnxBlock * hiddenSize + unit;
      const inColumn = kerasBlock * hiddenSize + unit;
      for (let r = 0; r < rows; r += 1) out[outRow * rows + r] = matrix[r * columns + inColumn] ?? 0;
    }
  });
  return out;
}

function toGateBias(bias: Float32Array, hiddenSize: number): Float32Array {
  const out = new Float32Array(8 * hiddenSize); // second half (Rb) stays zero: Keras has one bias
  ONNX_GATE_ORDER.forEach((gate, onnxBlock) => {
    const kerasBlock = KERAS_GATE_ORDER.indexOf(gate);
    out.set(bias.subarray(kerasBlock * hiddenSize, (kerasBlock + 1) * hiddenSize), onnxBlock * hiddenSize);
  });
  return out;
}

export function toOnnxLstmTensors(layer: LstmLayerWeights): OnnxLstmTensors {
  const { inputSize, hiddenSize } = layer;
  return {
    w: toGateRows(layer.kernel, inputSize, hiddenSize),
    r: toGateRows(layer.recurrentKernel, hiddenSize, hiddenSize),
    b: toGateBias(layer.bias, hiddenSize),
  };
}
