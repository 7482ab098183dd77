import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';

/** Slice computed from a flat row-major array, independently of any kernel. */
function expectedSlice(values: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const walk = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(values[offset] as number);
      return;
    }
    for (let i = 0; i < (size[dim] as number); i++)
      walk(dim + 1, offset + ((begin[dim] as number) + i) * (strides[dim] as number));
  };
  walk(0, 0);
  return out;
}

describe('fast wasm Slice kernel', () => {
  let backend = '';
  before(async () => {
    backend = (await selectBackend('wasm')).name;
  });

  it('slices like the definition for ranks 1 to 3, contiguous or not', () => {
    assert.equal(backend, 'wasm');
    const random = new SeededRandom(11);
    const cases: [number[], number[], number[]][] = [
      [[10], [3], [5]],
      [
        [6, 8],
        [2, 0],
        [3, 8],
      ], // whole rows: contiguous
      [
        [6, 8],
        [1, 3],
        [4, 2],
      ], // a block: not contiguous
      [
        [4, 5, 6],
        [1, 2, 1],
        [2, 3, 4],
      ],
      [
        [4, 5, 6],
        [2, 0, 0],
        [1, 5, 6],
      ],
      [
        [7680, 512],
        [64 * 64, 0],
        [64, 512],
      ], // one time step of a batch of 64
    ];
    for (const [shape, begin, size] of cases) {
      const count = shape.reduce((a, b) => a * b, 1);
      const values = random.uniform(count, -1, 1);
      const actual = tf.tidy(() => Array.from(tf.slice(tf.tensor(values, shape), begin, size).dataSync()));
      assert.deepEqual(
        actual,
        expectedSlice(values, shape, begin, size),
        `shape ${shape} begin ${begin} size ${size}`,
      );
    }
  });

  it('leaves int32 tensors to the original kernel', () => {
    const sliced = tf.tidy(() =>
      Array.from(tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2]).dataSync()),
    );
    assert.deepEqual(sliced, [2, 3, 5, 6]);
  });
});
