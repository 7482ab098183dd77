import * as tf from '@tensorflow/tfjs';
import { installLstmKernels } from './lstm-kernels.js';
import { installMatMulKernels } from './matmul.js';
import { installUninitializedKernel } from './uninitialized.js';
import { installFastWasmSlice } from './wasm-slice.js';

/** Backends in the order the pipeline prefers them. */
export const BACKEND_PREFERENCE = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** TensorFlow.js backend name in use: tensorflow, wasm or cpu. */
  readonly name: string;
  /** The package that provided it, for the logs and metrics.json. */
  readonly provider: string;
  /** Why better backends were not used. */
  readonly skipped: readonly string[];
}

/**
 * Native bindings are optional: the training image installs tfjs-node-gpu, a
 * laptop may install tfjs-node, and `npm ci` installs neither (their install
 * step downloads libtensorflow). Import by a computed name so that neither the
 * type-checker nor a bundler insists on them.
 */
async function tryImport(name: string): Promise<string | null> {
  try {
    await import(name);
    return null;
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error);
  }
}

export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const skipped: string[] = [];
  installUninitializedKernel();
  const kernels = await installLstmKernels();
  if (kernels.simdSkipped !== null) skipped.push(`LSTM SIMD kernels: ${kernels.simdSkipped}`);
  const gemm = await installMatMulKernels();
  for (const reason of gemm.skipped) skipped.push(`SIMD GEMM ${reason}`);
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const failure = await tryImport(pkg);
      if (failure === null && (await tf.setBackend('tensorflow'))) {
        await tf.ready();
        return { name: 'tensorflow', provider: pkg, skipped };
      }
      skipped.push(`${pkg}: ${failure ?? 'backend did not initialise'}`);
    }
    if (choice === 'tensorflow')
      throw new Error(`backend "tensorflow" requested but unavailable: ${skipped.join('; ')}`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    const failure = await tryImport('@tensorflow/tfjs-backend-wasm');
    if (failure === null && (await tf.setBackend('wasm').catch(() => false))) {
      await tf.ready();
      installFastWasmSlice();
      return { name: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', skipped };
    }
    skipped.push(`@tensorflow/tfjs-backend-wasm: ${failure ?? 'backend did not initialise'}`);
    if (choice === 'wasm') throw new Error(`backend "wasm" requested but unavailable: ${skipped.join('; ')}`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', provider: '@tensorflow/tfjs', skipped };
}
