/**
 * npm run bench:matmul -- [--seconds 0.5] [--rounds 5]
 * The LSTM's matrix products (2 x 128, batch 64, sequence 120) on the wasm backend, one
 * thread: tf.matMul (tfjs-backend-wasm's XNNPACK) beside tf/matmul.ts's two GEMM kernels,
 * matmul.wat in plain SIMD ('simd') and with relaxed SIMD's fused multiply-add ('fma',
 * when this runtime has relaxed SIMD: Node 22, or Node 20 with
 * --experimental-wasm-relaxed-simd). tf.matMul gets its best case, operands transposed
 * beforehand (with its own transpose flags it is 8-30x slower here); the GEMMs get them as
 * the training step holds them and read the transposes in place.
 *
 * The machine is shared, so the times are this process's CPU time (user + system: all of it is
 * the product, one thread), not the wall clock, which counts the time other processes had the
 * core; and the contenders take turns for `rounds` rounds of `seconds` / `rounds` each and each
 * keeps its best round, so that a burst of load lands on one round rather than on one contender.
 * Prints one JSON line with CPU milliseconds per call and GFLOP/s per shape, and the load average.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../training-image/src/tf/backend.js';
import {
  activeGemmKernel,
  gemmKernelReady,
  type GemmKernel,
  matMul,
  RightOperand,
  useGemmKernel,
} from '../training-image/src/tf/matmul.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '0.5' }, rounds: { type: 'string', default: '5' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

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

/** Mean CPU milliseconds per call of f over about `budget` CPU seconds (at least 3 calls). */
function time(f: () => tf.Tensor, budget: number): number {
  let calls = 0;
  const start = process.cpuUsage();
  const spent = (): number => {
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1000;
  };
  while (spent() < budget * 1000 || calls < 3) {
    f().dispose();
    calls++;
  }
  return spent() / calls;
}

/** Each contender's best round, in milliseconds per call, after two untimed calls each. */
function race(contenders: Record<string, () => tf.Tensor>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [name, f] of Object.entries(contenders)) {
    for (let i = 0; i < 2; i++) f().dispose();
    best[name] = Number.POSITIVE_INFINITY;
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, f] of Object.entries(contenders)) {
      best[name] = Math.min(best[name] as number, time(f, seconds / rounds));
    }
  }
  return best;
}

const backend = await selectBackend('wasm');
const chosen = activeGemmKernel();
if (chosen === null) throw new Error(`the SIMD GEMM is not active (${backend.skipped.join('; ')})`);
const kernels = (['simd', 'fma'] as const).filter((kernel) => gemmKernelReady(kernel));

const results = SHAPES.map((shape) => {
  const a = tf.randomUniform(shape.a) as tf.Tensor2D;
  const b = tf.randomUniform(shape.b) as tf.Tensor2D;
  const m = shape.transposeA ? shape.a[1] : shape.a[0];
  const k = shape.transposeA ? shape.a[0] : shape.a[1];
  const n = shape.transposeB ? shape.b[0] : shape.b[1];
  const flop = 2 * m * k * n;
  const plainA = shape.transposeA ? tf.transpose(a) : a;
  const plainB = shape.transposeB ? tf.transpose(b) : b;
  // Packing is kernel-independent (the same packB): one packed copy serves both kernels.
  const right = shape.reused ? RightOperand.prepare(b, shape.transposeB) : null;
  const gemm = (kernel: GemmKernel) => (): tf.Tensor => {
    useGemmKernel(kernel);
    return matMul(
      a,
      right ?? b,
      right === null ? { transposeA: shape.transposeA, transposeB: shape.transposeB } : {},
    );
  };
  const ms = race({
    xnnpack: () => tf.matMul(plainA, plainB),
    ...Object.fromEntries(kernels.map((kernel) => [kernel, gemm(kernel)])),
  });
  useGemmKernel('auto');
  right?.dispose();
  if (plainA !== a) plainA.dispose();
  if (plainB !== b) plainB.dispose();
  tf.dispose([a, b]);
  const round = (value: number, digits: number): number => Number(value.toFixed(digits));
  const gflops = (name: string): number | null =>
    ms[name] === undefined ? null : round(flop / (ms[name] as number) / 1e6, 1);
  return {
    shape: shape.name,
    m,
    k,
    n,
    tfjs_ms: round(ms['xnnpack'] as number, 3),
    tfjs_gflops: gflops('xnnpack'),
    simd_ms: round(ms['simd'] as number, 3),
    simd_gflops: gflops('simd'),
    fma_ms: ms['fma'] === undefined ? null : round(ms['fma'], 3),
    fma_gflops: gflops('fma'),
    speedup: round((ms['xnnpack'] as number) / (ms[chosen] as number), 2),
  };
});
console.log(
  JSON.stringify({
    bench: 'matmul',
    backend: backend.name,
    node: process.version,
    gemm_kernel: chosen,
    fma_skipped: gemmKernelReady('fma')
      ? null
      : (backend.skipped.find((s) => s.includes('fma')) ?? 'not assembled'),
    timing: `process CPU time, best of ${rounds} interleaved rounds`,
    load_average: loadavg().map((load) => Number(load.toFixed(2))),
    results,
  }),
);
