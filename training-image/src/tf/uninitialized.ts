import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A float32 tensor for a kernel to fill whole, allocated without writing it.
 *
 * tf.zeros builds its zeros in a JavaScript array and copies them into the wasm
 * heap: for the LSTM's dZ ([T * B, 4H], 15.7 MB at 120 x 64 x 512) that is a
 * fresh 15.7 MB allocation, its page faults and a copy, 60-110 ms of CPU a layer
 * on the shared 2-core machine (a quarter of a training step in the profile). On
 * wasm this kernel takes the memory from the heap's allocator as every kernel's
 * output does; on cpu it is zeros (a new Float32Array is zeros anyway).
 */
export const UNINITIALIZED = 'ForecastUninitialized';

interface UninitializedAttrs {
  readonly shape: number[];
}

/** The cpu backend's storage, as much of it as this kernel uses (its class is not a direct dependency). */
interface CpuStorage {
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): tf.TensorInfo;
}

const onWasm: tf.KernelFunc = ({ backend, attrs }) =>
  (backend as BackendWasm).makeOutput([...(attrs as unknown as UninitializedAttrs).shape], 'float32');

const onCpu: tf.KernelFunc = ({ backend, attrs }) => {
  const shape = [...(attrs as unknown as UninitializedAttrs).shape];
  return (backend as unknown as CpuStorage).makeTensorInfo(
    shape,
    'float32',
    new Float32Array(tf.util.sizeFromShape(shape)),
  );
};

/** Registers the kernel for the wasm and cpu backends (idempotent). */
export function installUninitializedKernel(): void {
  if (tf.getKernel(UNINITIALIZED, 'wasm') === undefined)
    tf.registerKernel({ kernelName: UNINITIALIZED, backendName: 'wasm', kernelFunc: onWasm });
  if (tf.getKernel(UNINITIALIZED, 'cpu') === undefined)
    tf.registerKernel({ kernelName: UNINITIALIZED, backendName: 'cpu', kernelFunc: onCpu });
}

/**
 * A float32 tensor of `shape` whose values are unspecified until a kernel writes them
 * (zeros where the backend has no such kernel). Every element must be written before read.
 */
export function uninitialized(shape: readonly number[]): tf.Tensor {
  if (tf.getKernel(UNINITIALIZED, tf.getBackend()) === undefined) return tf.zeros([...shape]);
  const attrs: UninitializedAttrs = { shape: [...shape] };
  return tf.engine().runKernel(UNINITIALIZED, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
