import { cpus, loadavg } from 'node:os';
import { selectBackend, type BackendChoice } from '../training-image/src/tf/backend.js';
import { lstmKernelsAvailable } from '../training-image/src/tf/lstm-kernels.js';
import { lstmSimd } from '../training-image/src/tf/lstm-simd.js';
import { activeGemmKernel } from '../training-image/src/tf/matmul.js';

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** The load average now: the machine is shared, so every figure says how busy it was. */
export function loadAverage(): number[] {
  return loadavg().map((load) => round(load, 2));
}

/** The machine's size and its load before the bench and now, as every training bench reports them. */
export function machineLoad(before: readonly number[]): {
  cpus: number;
  load_average: { before: readonly number[]; after: number[] };
} {
  return { cpus: cpus().length, load_average: { before, after: loadAverage() } };
}

/** The TF.js backend chosen, and which LSTM and GEMM kernels it runs: what a training figure depends on. */
export async function tfjsKernels(choice: BackendChoice): Promise<{
  node: string;
  backend: string;
  provider: string;
  lstm: 'ops' | 'fused-simd' | 'fused-js';
  gemm: string;
}> {
  const backend = await selectBackend(choice);
  return {
    node: process.version,
    backend: backend.name,
    provider: backend.provider,
    lstm: !lstmKernelsAvailable() ? 'ops' : lstmSimd.ready ? 'fused-simd' : 'fused-js',
    gemm: activeGemmKernel() ?? 'tf.matMul',
  };
}
