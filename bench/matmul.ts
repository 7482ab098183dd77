/**
 * npm run bench:matmul -- [--seconds 0.5]
 * The LSTM's matrix products (2 x 128, batch 64, sequence 120) on the wasm backend:
 * tf.matMul (tfjs-backend-wasm's XNNPACK) beside tf/matmul.ts (matmul.wat's SIMD GEMM),
 * one thread. tf.matMul gets its best case, operands transposed beforehand (with its own
 * transpose flags it is 8-30x slower here); the SIMD GEMM gets them as the training step
 * holds them and reads the transposes in place. Prints one JSON line with milliseconds and
 * GFLOP/s per shape.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../training-image/src/tf/backend.js';
import { gemmSimdActive, matMul, RightOperand } from '../training-image/src/tf/matmul.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '0.5' } } });
const seconds = Number(values.seconds);

interface Shape {
  readonly name: string;
  readonly a: [number, number];
  readonly b: [number, number];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** The right operand is the same for many products (packed once on the SIMD path). */
  readonly reused: boolean;
}

const T = 120;
const B = 64;
const H = 128;
const SHAPES: Shape[] = [
  {
    name: 'input projection x W',
    a: [T * B, H],
    b: [H, 4 * H],
    transposeA: false,
    transposeB: false,
    reused: false,
  },
  {
    name: 'recurrent step h U',
    a: [B, H],
    b: [H, 4 * H],
    transposeA: false,
    transposeB: false,
    reused: true,
  },
  {
    name: 'backward step dz U^T',
    a: [B, 4 * H],
    b: [H, 4 * H],
    transposeA: false,
    transposeB: true,
    reused: true,
  },
  {
    name: 'weight gradient x^T dZ',
    a: [T * B, H],
    b: [T * B, 4 * H],
    transposeA: true,
    transposeB: false,
    reused: false,
  },
  {
    name: 'input gradient dZ W^T',
    a: [T * B, 4 * H],
    b: [H, 4 * H],
    transposeA: false,
    transposeB: true,
    reused: false,
  },
];

/** Mean milliseconds per call of f over about `seconds`, after two untimed calls. */
function time(f: () => tf.Tensor): number {
  for (let i = 0; i < 2; i++) f().dispose();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || calls < 3) {
    f().dispose();
    calls++;
  }
  return (performance.now() - start) / calls;
}

const backend = await selectBackend('wasm');
if (!gemmSimdActive()) throw new Error(`the SIMD GEMM is not active (${backend.skipped.join('; ')})`);
const results = SHAPES.map((shape) => {
  const a = tf.randomUniform(shape.a) as tf.Tensor2D;
  const b = tf.randomUniform(shape.b) as tf.Tensor2D;
  const m = shape.transposeA ? shape.a[1] : shape.a[0];
  const k = shape.transposeA ? shape.a[0] : shape.a[1];
  const n = shape.transposeB ? shape.b[0] : shape.b[1];
  const flop = 2 * m * k * n;
  const plainA = shape.transposeA ? tf.transpose(a) : a;
  const plainB = shape.transposeB ? tf.transpose(b) : b;
  const xnnpack = time(() => tf.matMul(plainA, plainB));
  if (plainA !== a) plainA.dispose();
  if (plainB !== b) plainB.dispose();
  const right = shape.reused ? RightOperand.prepare(b, shape.transposeB) : null;
  const simd = time(() =>
    matMul(
      a,
      right ?? b,
      right === null ? { transposeA: shape.transposeA, transposeB: shape.transposeB } : {},
    ),
  );
  right?.dispose();
  tf.dispose([a, b]);
  const gflops = (ms: number): number => Number((flop / ms / 1e6).toFixed(1));
  return {
    shape: shape.name,
    m,
    k,
    n,
    tfjs_ms: Number(xnnpack.toFixed(3)),
    tfjs_gflops: gflops(xnnpack),
    simd_ms: Number(simd.toFixed(3)),
    simd_gflops: gflops(simd),
    speedup: Number((xnnpack / simd).toFixed(2)),
  };
});
console.log(JSON.stringify({ bench: 'matmul', backend: backend.name, results }));
