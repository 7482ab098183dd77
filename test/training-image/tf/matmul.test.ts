/**
 * tf/matmul.ts against the product written out in float64: on the wasm backend
 * through the SIMD GEMM (matmul.wat), on the cpu backend through tf.matMul. The
 * shapes cover the kernel's edges: rows not a multiple of 4, K not a multiple of
 * 4 and longer than one 256-step chunk, transposed operands, a row range of A,
 * a packed right operand used more than once, and N that the GEMM does not take.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { gemmSimdActive, matMul, RightOperand } from '../../../training-image/src/tf/matmul.js';

interface Case {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

const SHAPES: readonly [number, number, number][] = [
  [1, 1, 8],
  [3, 5, 8],
  [5, 9, 16],
  [7, 300, 24],
  [64, 129, 40],
  [9, 520, 512],
];

const CASES: Case[] = SHAPES.flatMap(([m, k, n]) =>
  [false, true].flatMap((transposeA) =>
    [false, true].map((transposeB) => ({ m, k, n, transposeA, transposeB })),
  ),
);

/** Stored operands: A as [M, K] or [K, M], B as [K, N] or [N, K]. */
function operands(c: Case, seed: number): { a: Float32Array; b: Float32Array } {
  const random = new SeededRandom(seed);
  return { a: random.uniform(c.m * c.k, -1, 1), b: random.uniform(c.k * c.n, -1, 1) };
}

function expectedProduct(c: Case, a: Float32Array, b: Float32Array): Float64Array {
  const out = new Float64Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let sum = 0;
      for (let p = 0; p < c.k; p++) {
        const av = a[c.transposeA ? p * c.m + i : i * c.k + p] as number;
        const bv = b[c.transposeB ? j * c.k + p : p * c.n + j] as number;
        sum += av * bv;
      }
      out[i * c.n + j] = sum;
    }
  }
  return out;
}

/** Largest difference relative to the largest expected magnitude. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'length');
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i] as number));
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  return worst / scale;
}

function tensors(c: Case, a: Float32Array, b: Float32Array): [tf.Tensor2D, tf.Tensor2D] {
  return [
    tf.tensor2d(a, c.transposeA ? [c.k, c.m] : [c.m, c.k]),
    tf.tensor2d(b, c.transposeB ? [c.n, c.k] : [c.k, c.n]),
  ];
}

for (const backendName of ['wasm', 'cpu'] as const) {
  describe(`matMul on ${backendName}`, () => {
    before(async () => {
      await selectBackend(backendName);
    });
    after(async () => {
      await selectBackend('auto');
    });

    it(backendName === 'wasm' ? 'runs on the SIMD GEMM' : 'runs on tf.matMul', () => {
      assert.equal(gemmSimdActive(), backendName === 'wasm');
    });

    for (const c of CASES) {
      it(`[${c.m}, ${c.k}] x [${c.k}, ${c.n}], A${c.transposeA ? '^T' : ''} B${c.transposeB ? '^T' : ''}`, () => {
        const { a, b } = operands(c, c.m * 1000 + c.k + c.n);
        const expected = expectedProduct(c, a, b);
        const before = tf.memory().numTensors;

        const [at, bt] = tensors(c, a, b);
        const product = matMul(at, bt, { transposeA: c.transposeA, transposeB: c.transposeB });
        const actual = product.dataSync();
        assert.deepEqual(product.shape, [c.m, c.n]);
        tf.dispose([at, bt, product]);

        assert.ok(
          relativeError(actual, expected) < 1e-5,
          `relative error ${relativeError(actual, expected)}`,
        );
        assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      });
    }

    it('a packed right operand serves several products and row ranges of A', () => {
      const c: Case = { m: 12, k: 33, n: 16, transposeA: false, transposeB: true };
      const { a, b } = operands(c, 7);
      const expected = expectedProduct(c, a, b);
      const before = tf.memory().numTensors;
      const [at, bt] = tensors(c, a, b);
      const right = RightOperand.prepare(bt, true);
      assert.equal(right.packed, backendName === 'wasm');

      for (const [begin, count] of [
        [0, 12],
        [5, 3],
        [11, 1],
      ] as const) {
        const product = matMul(at, right, { rows: { begin, count } });
        const actual = product.dataSync();
        product.dispose();
        const rows = expected.subarray(begin * c.n, (begin + count) * c.n);
        assert.ok(relativeError(actual, rows) < 1e-5, `rows ${begin}..${begin + count}`);
      }
      right.dispose();
      tf.dispose([at, bt]);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    });

    it('N not a multiple of 8 goes to tf.matMul and gives the same product', () => {
      const c: Case = { m: 6, k: 10, n: 6, transposeA: true, transposeB: false };
      const { a, b } = operands(c, 9);
      const [at, bt] = tensors(c, a, b);
      const right = RightOperand.prepare(bt);
      assert.equal(right.packed, false);

      const actual = matMul(at, right, { transposeA: true }).dataSync();
      tf.dispose([at, bt]);

      assert.ok(relativeError(actual, expectedProduct(c, a, b)) < 1e-5);
    });
  });
}
