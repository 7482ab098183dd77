import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type SliceAttrs = { begin: number | number[]; size?: number | number[] };

/**
 * tfjs-backend-wasm 4.22's Slice reads its input with readSync, which copies the
 * whole tensor out of the wasm heap before taking the slice: one time step out
 * of a [7680, 512] tensor costs 7 ms instead of microseconds. This kernel reads
 * the heap through a view. Same results; float32 tensors of rank 1 to 3 only,
 * anything else goes to the original kernel.
 */
let installed = false;

export function installFastWasmSlice(): void {
  const original = tf.getKernel('Slice', 'wasm');
  if (original === undefined || installed) return;
  installed = true;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs['x'] as tf.TensorInfo | undefined;
    if (x === undefined || x.dtype !== 'float32' || x.shape.length < 1 || x.shape.length > 3) {
      return original.kernelFunc(args);
    }
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs as unknown as SliceAttrs;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size) as [
      number[],
      number[],
    ];
    const out = backend.makeOutput(size, x.dtype);
    // Views are taken after makeOutput: allocating may grow (and move) the heap.
    const xVals = backend.typedArrayFromHeap(x) as Float32Array;
    const outVals = backend.typedArrayFromHeap(out) as Float32Array;
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      const offset = tf.slice_util.computeFlatOffset(begin, strides);
      outVals.set(xVals.subarray(offset, offset + outVals.length));
      return out;
    }
    const rows = x.shape.length === 3 ? [size[0] as number, size[1] as number] : [1, size[0] as number];
    const rowStrides =
      x.shape.length === 3 ? [strides[0] as number, strides[1] as number] : [0, strides[0] as number];
    const rowBegin =
      x.shape.length === 3 ? [begin[0] as number, begin[1] as number] : [0, begin[0] as number];
    const inner = size[size.length - 1] as number;
    const innerBegin = begin[begin.length - 1] as number;
    let at = 0;
    for (let i = 0; i < (rows[0] as number); i++) {
      for (let j = 0; j < (rows[1] as number); j++) {
        const from =
          ((rowBegin[0] as number) + i) * (rowStrides[0] as number) +
          ((rowBegin[1] as number) + j) * (rowStrides[1] as number) +
          (x.shape.length === 1 ? 0 : innerBegin);
        outVals.set(xVals.subarray(from, from + inner), at);
        at += inner;
      }
    }
    return out;
  };
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc });
}
