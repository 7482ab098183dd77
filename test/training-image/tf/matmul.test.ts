/**
 * tf/matmul.ts against the product written out in float64: on the wasm backend
 * through each SIMD GEMM kernel (matmul.wat plain, and with relaxed SIMD's fused
 * multiply-add: both forced in turn, whichever the runtime would pick), on the cpu
 * backend through tf.matMul, all within the same tolerance. The shapes cover the
 * kernel's edges: rows not a multiple of 4, K not a multiple of 4 and longer than
 * one 256-step chunk, transposed operands, a row range of A, a packed right operand
 * used more than once, and N that the GEMM does not take.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import {
  activeGemmKernel,
  gemmKernelReady,
  type GemmKernel,
  matMul,
  RightOperand,
  useGemmKernel,
  withFusedMultiplyAdd,
} from '../../../training-image/src/tf/matmul.js';
import { relaxedSimdSupported } from '../../../training-image/src/tf/wat-module.js';

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

/** Relative error allowed against the float64 product, for every kernel alike. */
const TOLERANCE = 1e-5;

interface Target {
  readonly backendName: 'wasm' | 'cpu';
  /** The GEMM kernel forced on wasm; null on cpu (tf.matMul). */
  readonly kernel: GemmKernel | null;
}

const TARGETS: readonly Target[] = [
  { backendName: 'wasm', kernel: 'simd' },
  { backendName: 'wasm', kernel: 'fma' },
  { backendName: 'cpu', kernel: null },
];

/** Why the target cannot run in this runtime, or undefined (node:test's skip option). */
function skipReason(target: Target): string | undefined {
  return target.kernel === 'fma' && !relaxedSimdSupported()
    ? 'this runtime has no relaxed SIMD (Node 22 has it; Node 20 needs --experimental-wasm-relaxed-simd)'
    : undefined;
}

describe('GEMM kernel choice', () => {
  before(async () => {
    await selectBackend('wasm');
  });
  after(async () => {
    await selectBackend('auto');
  });

  it('finds relaxed SIMD on Node 22 and later, and on Node 20 with its flag', () => {
    const major = Number(process.versions.node.split('.')[0]);
    const flagged = process.execArgv.includes('--experimental-wasm-relaxed-simd');
    assert.equal(relaxedSimdSupported(), major >= 22 || flagged);
  });

  it('runs on the FMA kernel exactly when the runtime validates relaxed SIMD', () => {
    assert.equal(gemmKernelReady('simd'), true);
    assert.equal(gemmKernelReady('fma'), relaxedSimdSupported());
    assert.equal(activeGemmKernel(), relaxedSimdSupported() ? 'fma' : 'simd');
  });

  it("the FMA source differs from the plain one only in the tile's 8 multiply-adds", async () => {
    const plain = await readFile(
      new URL('../../../training-image/src/tf/matmul.wat', import.meta.url),
      'utf8',
    );
    const fused = withFusedMultiplyAdd(plain);
    const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;
    assert.equal(count(fused, /f32x4\.relaxed_madd \(/g) - count(plain, /f32x4\.relaxed_madd \(/g), 8);
    assert.equal(count(plain, /f32x4\.mul \(/g) - count(fused, /f32x4\.mul \(/g), 8);
    assert.equal(count(plain, /f32x4\.add \(/g) - count(fused, /f32x4\.add \(/g), 8);
    assert.throws(() => withFusedMultiplyAdd(fused), /expected the tile's 8 multiply-adds, found 0/);
  });
});

for (const target of TARGETS) {
  const { backendName, kernel } = target;
  const label = kernel === null ? backendName : `${backendName}, ${kernel} GEMM`;
  describe(`matMul on ${label}`, { skip: skipReason(target) }, () => {
    before(async () => {
      await selectBackend(backendName);
      if (kernel !== null) useGemmKernel(kernel);
    });
    after(async () => {
      useGemmKernel('auto');
      await selectBackend('auto');
    });

    it(kernel === null ? 'runs on tf.matMul' : `runs on the ${kernel} GEMM`, () => {
      assert.equal(activeGemmKernel(), kernel);
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
          relativeError(actual, expected) < TOLERANCE,
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
        assert.ok(relativeError(actual, rows) < TOLERANCE, `rows ${begin}..${begin + count}`);
      }
      right.dispose();
      tf.dispose([at, bt]);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    });

    it('adds a bias to every row, on every chunk of K and every partial block', () => {
      const c: Case = { m: 7, k: 300, n: 24, transposeA: false, transposeB: false };
      const { a, b } = operands(c, 11);
      const bias = new SeededRandom(12).uniform(c.n, -1, 1);
      const expected = expectedProduct(c, a, b).map((value, i) => value + (bias[i % c.n] as number));
      const before = tf.memory().numTensors;
      const [at, bt] = tensors(c, a, b);
      const biasTensor = tf.tensor1d(bias);
      const right = RightOperand.prepare(bt);
      for (const operand of [bt, right]) {
        const product = matMul(at, operand, { bias: biasTensor });
        const actual = product.dataSync();
        product.dispose();
        assert.ok(
          relativeError(actual, expected) < TOLERANCE,
          `relative error ${relativeError(actual, expected)}`,
        );
      }
      right.dispose();
      tf.dispose([at, bt, biasTensor]);
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

      assert.ok(relativeError(actual, expectedProduct(c, a, b)) < TOLERANCE);
    });
  });
}
