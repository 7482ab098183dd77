import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LstmLayerWeights } from '../../../training-image/src/model/weights.js';
import { toOnnxLstmTensors } from '../../../training-image/src/onnx/lstm-layout.js';

// Every weight encodes where it came from: row * 100 + kerasGate * 10 + unit.
const inputSize = 2;
const hiddenSize = 3;
const encode = (rows: number): Float32Array =>
  Float32Array.from({ length: rows * 4 * hiddenSize }, (_, k) => {
    const row = Math.floor(k / (4 * hiddenSize));
    const column = k % (4 * hiddenSize);
    return row * 100 + Math.floor(column / hiddenSize) * 10 + (column % hiddenSize);
  });
const layer: LstmLayerWeights = {
  inputSize,
  hiddenSize,
  kernel: encode(inputSize),
  recurrentKernel: encode(hiddenSize),
  bias: Float32Array.from(
    { length: 4 * hiddenSize },
    (_, k) => Math.floor(k / hiddenSize) * 10 + (k % hiddenSize),
  ),
};

// ONNX block b holds Keras gate KERAS_BLOCK_OF[b]: ONNX i, o, f, c <- Keras i(0), o(3), f(1), c(2).
const KERAS_BLOCK_OF = [0, 3, 1, 2];

function expectedRows(rows: number): number[] {
  const out: number[] = [];
  for (const kerasBlock of KERAS_BLOCK_OF) {
    for (let unit = 0; unit < hiddenSize; unit += 1) {
      for (let row = 0; row < rows; row += 1) out.push(row * 100 + kerasBlock * 10 + unit);
    }
  }
  return out;
}

describe('toOnnxLstmTensors', () => {
  it('transposes the kernel to [4H, in] with gates in ONNX order i, o, f, c', () => {
    // Act
    const { w } = toOnnxLstmTensors(layer);

    // Assess
    assert.deepEqual([...w], expectedRows(inputSize));
  });

  it('transposes the recurrent kernel to [4H, H] with gates in ONNX order i, o, f, c', () => {
    const { r } = toOnnxLstmTensors(layer);

    assert.deepEqual([...r], expectedRows(hiddenSize));
  });

  it('puts the reordered Keras bias in Wb and zeros in Rb', () => {
    const { b } = toOnnxLstmTensors(layer);

    const wb = KERAS_BLOCK_OF.flatMap((kerasBlock) =>
      Array.from({ length: hiddenSize }, (_, unit) => kerasBlock * 10 + unit),
    );
    assert.deepEqual([...b], [...wb, ...new Array<number>(4 * hiddenSize).fill(0)]);
  });
});
