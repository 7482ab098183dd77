import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { lstmSimd, type LstmSimd } from './lstm-simd.js';
import { checkFloat32 } from './wat-module.js';

/**
 * One LSTM time step as a single kernel on the wasm and cpu backends.
 *
 * Written out in TensorFlow.js ops, a training step of one layer is ~35 small
 * ops (slices, sigmoids, products, concats), each with its own dispatch and
 * allocation. These kernels do the element-wise part of a step in one pass over
 * the backend's memory, leaving the matMuls (which XNNPACK runs near the core's
 * peak) to TensorFlow.js: per layer and step, one matMul and one kernel each way.
 * On wasm the pass is WebAssembly SIMD (lstm-cell.wat) when the hidden size is a
 * multiple of 4; otherwise, and on the cpu backend, the same maths in JavaScript.
 *
 * Layout, per batch row b (H hidden units, gate order input, forget, candidate,
 * output, the candidate's pre-activation doubled so tanh(z) = 2 sigmoid(2z) - 1):
 * - forward reads z = xz[row + b] + hz[b] (xz holds the input projection plus
 *   bias for every step, [T * B, 4H]) and c[b]; writes h, c and, when training,
 *   a cache row [B, 6H]: the four gate factors, dh -> dc factor, forget gate.
 * - backward reads dh (from the step after in time, plus the gradient arriving
 *   from the layer above at `arriveRow`), dc and the cache; writes dz into its
 *   step's rows of the layer's dZ [T * B, 4H], in place (the weight gradients are
 *   then one matMul each over all steps), and returns dc * f for the step before.
 */
export const LSTM_CELL = 'ForecastLstmCell';
export const LSTM_CELL_GRAD = 'ForecastLstmCellGrad';

/** Cache columns per batch row, in units of H: gate factors (4), hToC (1), forget (1). */
export const CACHE_BLOCKS = 6;

interface CellAttrs {
  /** First row of xz for this step: t * B. */
  readonly row: number;
}

interface CellGradAttrs {
  /** First row of `arriving` for this step, or -1 when nothing arrives from above. */
  readonly arriveRow: number;
  /** First row of dZ for this step: t * B. */
  readonly row: number;
}

/** The cpu backend's storage, as much of it as the kernels use (its class is not a direct dependency). */
interface CpuStorage {
  readonly data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): tf.TensorInfo;
}

function isWasm(backend: tf.KernelBackend): backend is tf.KernelBackend & BackendWasm {
  return 'typedArrayFromHeap' in backend;
}

/** The SIMD kernels for this wasm backend's heap, when they apply to hidden size `hidden`. */
function simdFor(backend: BackendWasm, hidden: number): LstmSimd | null {
  return hidden % 4 === 0 ? lstmSimd.forBackend(backend) : null;
}

/**
 * Float32 views of the inputs and newly allocated outputs in the backend's own memory.
 * On wasm the views are taken after every output is allocated: allocating may grow
 * (and so move) the heap.
 */
function withViews(
  backend: tf.KernelBackend,
  inputs: readonly tf.TensorInfo[],
  outputShapes: readonly number[][],
  compute: (ins: Float32Array[], outs: Float32Array[]) => void,
): tf.TensorInfo[] {
  if (isWasm(backend)) {
    const outputs = outputShapes.map((shape) => backend.makeOutput(shape, 'float32'));
    compute(
      inputs.map((input) => backend.typedArrayFromHeap(input) as Float32Array),
      outputs.map((output) => backend.typedArrayFromHeap(output) as Float32Array),
    );
    return outputs;
  }
  const cpu = backend as unknown as CpuStorage;
  const outs = outputShapes.map((shape) => new Float32Array(tf.util.sizeFromShape(shape)));
  compute(
    inputs.map((input) => {
      const values = cpu.data.get(input.dataId)?.values;
      if (!(values instanceof Float32Array))
        throw new Error(`${LSTM_CELL}: input data not on the cpu backend`);
      return values;
    }),
    outs,
  );
  return outs.map((values, i) => cpu.makeTensorInfo(outputShapes[i] as number[], 'float32', values));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function forwardJs(
  xzv: Float32Array,
  hzv: Float32Array,
  cv: Float32Array,
  outs: Float32Array[],
  row: number,
  batch: number,
  hidden: number,
): void {
  const [hOut, cOut, cache] = outs as [Float32Array, Float32Array, Float32Array];
  const gates = 4 * hidden;
  for (let b = 0; b < batch; b++) {
    const zRow = (row + b) * gates;
    const hRow = b * gates;
    const out = b * hidden;
    const k = b * CACHE_BLOCKS * hidden;
    for (let j = 0; j < hidden; j++) {
      const i = sigmoid((xzv[zRow + j] as number) + (hzv[hRow + j] as number));
      const f = sigmoid((xzv[zRow + hidden + j] as number) + (hzv[hRow + hidden + j] as number));
      const sg = sigmoid((xzv[zRow + 2 * hidden + j] as number) + (hzv[hRow + 2 * hidden + j] as number));
      const o = sigmoid((xzv[zRow + 3 * hidden + j] as number) + (hzv[hRow + 3 * hidden + j] as number));
      const g = 2 * sg - 1;
      const cPrev = cv[out + j] as number;
      const cNext = f * cPrev + i * g;
      const tc = 2 * sigmoid(2 * cNext) - 1;
      hOut[out + j] = o * tc;
      cOut[out + j] = cNext;
      // dz = dc * [g, cPrev, 2i] and dh * tc, each times its sigmoid's derivative s (1 - s).
      cache[k + j] = g * i * (1 - i);
      cache[k + hidden + j] = cPrev * f * (1 - f);
      cache[k + 2 * hidden + j] = 2 * i * sg * (1 - sg);
      cache[k + 3 * hidden + j] = tc * o * (1 - o);
      cache[k + 4 * hidden + j] = o * (1 - tc * tc);
      cache[k + 5 * hidden + j] = f;
    }
  }
}

function backwardJs(
  [dhv, av, dcv, kv, dZv]: Float32Array[],
  [dcOut]: Float32Array[],
  arriveRow: number,
  row: number,
  batch: number,
  hidden: number,
): void {
  const dh = dhv as Float32Array;
  const arriving = av as Float32Array;
  const dc = dcv as Float32Array;
  const cache = kv as Float32Array;
  const dZ = dZv as Float32Array;
  const dcNext = dcOut as Float32Array;
  for (let b = 0; b < batch; b++) {
    const unit = b * hidden;
    const from = arriveRow < 0 ? -1 : (arriveRow + b) * hidden;
    const k = b * CACHE_BLOCKS * hidden;
    const z = (row + b) * 4 * hidden;
    for (let j = 0; j < hidden; j++) {
      const dhj = (dh[unit + j] as number) + (from < 0 ? 0 : (arriving[from + j] as number));
      const dcj = (dc[unit + j] as number) + dhj * (cache[k + 4 * hidden + j] as number);
      dZ[z + j] = dcj * (cache[k + j] as number);
      dZ[z + hidden + j] = dcj * (cache[k + hidden + j] as number);
      dZ[z + 2 * hidden + j] = dcj * (cache[k + 2 * hidden + j] as number);
      dZ[z + 3 * hidden + j] = dhj * (cache[k + 3 * hidden + j] as number);
      dcNext[unit + j] = dcj * (cache[k + 5 * hidden + j] as number);
    }
  }
}

const cellForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { xz, hz, c } = inputs as { xz: tf.TensorInfo; hz: tf.TensorInfo; c: tf.TensorInfo };
  const { row } = attrs as unknown as CellAttrs;
  const [batch, hidden] = c.shape as [number, number];
  checkFloat32(LSTM_CELL, [xz, hz, c]);
  // The cache is always written: the SIMD pass uses it as scratch space; lstmCell frees it when unused.
  const shapes = [
    [batch, hidden],
    [batch, hidden],
    [batch, CACHE_BLOCKS * hidden],
  ];
  return withViews(backend as tf.KernelBackend, [xz, hz, c], shapes, ([xzv, hzv, cv], outs) => {
    const simd = isWasm(backend as tf.KernelBackend) ? simdFor(backend as BackendWasm, hidden) : null;
    if (simd === null) {
      forwardJs(xzv as Float32Array, hzv as Float32Array, cv as Float32Array, outs, row, batch, hidden);
      return;
    }
    const [h, cOut, cache] = outs as [Float32Array, Float32Array, Float32Array];
    simd.forward(
      (xzv as Float32Array).byteOffset + row * 4 * hidden * 4,
      (hzv as Float32Array).byteOffset,
      (cv as Float32Array).byteOffset,
      h.byteOffset,
      cOut.byteOffset,
      (cache as Float32Array).byteOffset,
      batch,
      hidden,
    );
  });
};

const cellBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dh, arriving, dc, cache, dZ } = inputs as {
    dh: tf.TensorInfo;
    arriving: tf.TensorInfo;
    dc: tf.TensorInfo;
    cache: tf.TensorInfo;
    dZ: tf.TensorInfo;
  };
  const { arriveRow, row } = attrs as unknown as CellGradAttrs;
  const [batch, hidden] = dc.shape as [number, number];
  checkFloat32(LSTM_CELL_GRAD, [dh, arriving, dc, cache, dZ]);
  if (dZ.shape[1] !== 4 * hidden || row + batch > (dZ.shape[0] as number))
    throw new Error(`${LSTM_CELL_GRAD}: dZ [${dZ.shape.join(', ')}] has no rows ${row}..${row + batch}`);
  return withViews(
    backend as tf.KernelBackend,
    [dh, arriving, dc, cache, dZ],
    [[batch, hidden]],
    (ins, outs) => {
      const simd = isWasm(backend as tf.KernelBackend) ? simdFor(backend as BackendWasm, hidden) : null;
      if (simd === null) {
        backwardJs(ins, outs, arriveRow, row, batch, hidden);
        return;
      }
      const [dhv, av, dcv, kv, dZv] = ins as [
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const [dcOut] = outs as [Float32Array];
      simd.backward(
        dhv.byteOffset,
        av.byteOffset + Math.max(arriveRow, 0) * hidden * 4,
        arriveRow < 0 ? 0 : 1,
        dcv.byteOffset,
        kv.byteOffset,
        dZv.byteOffset + row * 4 * hidden * 4,
        dcOut.byteOffset,
        batch,
        hidden,
      );
    },
  );
};

const BACKENDS = ['wasm', 'cpu'] as const;

export interface LstmKernelInfo {
  /** Whether wasm runs the SIMD kernels (hidden sizes that are multiples of 4). */
  readonly simd: boolean;
  /** Why not, when not. */
  readonly simdSkipped: string | null;
}

/** Registers both kernels for the wasm and cpu backends and assembles the SIMD module (idempotent). */
export async function installLstmKernels(): Promise<LstmKernelInfo> {
  for (const backendName of BACKENDS) {
    if (tf.getKernel(LSTM_CELL, backendName) === undefined) {
      tf.registerKernel({ kernelName: LSTM_CELL, backendName, kernelFunc: cellForward });
    }
    if (tf.getKernel(LSTM_CELL_GRAD, backendName) === undefined) {
      tf.registerKernel({ kernelName: LSTM_CELL_GRAD, backendName, kernelFunc: cellBackward });
    }
  }
  const failure = await lstmSimd.compile();
  return { simd: failure === null, simdSkipped: failure };
}

/** True when the active backend has the kernels (wasm, cpu); native TensorFlow runs the op-by-op path. */
export function lstmKernelsAvailable(): boolean {
  return tf.getKernel(LSTM_CELL, tf.getBackend()) !== undefined;
}

/** One forward step: [h, c] or, with keepCache, [h, c, cache]. `row` = t * B picks the step in xz. */
export function lstmCell(
  xz: tf.Tensor2D,
  hz: tf.Tensor2D,
  c: tf.Tensor2D,
  row: number,
  keepCache: boolean,
): tf.Tensor2D[] {
  const attrs: CellAttrs = { row };
  const [h, cNext, cache] = tf
    .engine()
    .runKernel(LSTM_CELL, { xz, hz, c }, attrs as unknown as tf.NamedAttrMap) as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
  if (keepCache) return [h, cNext, cache];
  cache.dispose();
  return [h, cNext];
}

/**
 * One backward step: returns dc * forget for the step before and writes this step's dz
 * into rows [row, row + B) of `dZ` ([T * B, 4H]), in place: dZ must be a tensor the
 * caller made for this. `arriveRow` -1: nothing arrives from above at this step.
 */
export function lstmCellGrad(
  dh: tf.Tensor2D,
  arriving: tf.Tensor2D,
  arriveRow: number,
  dc: tf.Tensor2D,
  cache: tf.Tensor2D,
  dZ: tf.Tensor2D,
  row: number,
): tf.Tensor2D {
  const attrs: CellGradAttrs = { arriveRow, row };
  const [dcPrevious] = tf
    .engine()
    .runKernel(LSTM_CELL_GRAD, { dh, arriving, dc, cache, dZ }, attrs as unknown as tf.NamedAttrMap) as [
    tf.Tensor2D,
  ];
  return dcPrevious as tf.Tensor2D;
}
