import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { checkFloat32, WatModule } from './wat-module.js';

/**
 * The LSTM's matrix products. On the wasm backend they run on matmul.wat, a SIMD
 * GEMM ~30% faster than tfjs-backend-wasm's XNNPACK on these shapes (bench/matmul.ts),
 * that reads either operand transposed without a transpose op and takes a row range
 * of A without a slice. Everywhere else (cpu, native TensorFlow, N not a multiple
 * of 8) the same call is tf.matMul.
 *
 * An operand used for many products (the recurrent kernel, once per time step) is
 * packed once with prepareRight.
 */
interface GemmSimd {
  gemm(pa: number, pb: number, c: number, ldc: number, m: number, k: number, n: number): void;
  packA(src: number, ld: number, m: number, k: number, transposed: number, dst: number): void;
  packB(src: number, ld: number, k: number, n: number, transposed: number, dst: number): void;
}

const gemmSimd = new WatModule<GemmSimd>(new URL('./matmul.wat', import.meta.url));

export const MAT_MUL = 'ForecastMatMul';
export const PACK_RIGHT = 'ForecastPackRight';

/** Panel width of the packed right operand: N must be a multiple of it. */
const PANEL = 8;

interface MatMulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** b is a packed right operand ([N / 8, K, 8]) rather than a matrix. */
  readonly packed: boolean;
  /** First row of a to use (a not transposed). */
  readonly rowBegin: number;
  /** Rows of a to use, or -1 for all from rowBegin. */
  readonly rowCount: number;
}

interface PackAttrs {
  readonly transposeB: boolean;
}

/** Emscripten's allocator on the backend's module (present at run time, absent from its types). */
interface WasmHeap {
  _malloc(bytes: number): number;
  _free(address: number): void;
}

function gemmFor(backend: BackendWasm): GemmSimd {
  const simd = gemmSimd.forBackend(backend);
  if (simd === null) throw new Error(`${MAT_MUL}: the SIMD GEMM is not available on this backend`);
  return simd;
}

const matMulWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB, packed, rowBegin, rowCount } = attrs as unknown as MatMulAttrs;
  checkFloat32(MAT_MUL, [a, b]);
  const wasm = backend as BackendWasm;
  const simd = gemmFor(wasm);
  const [aRows, aCols] = a.shape as [number, number];
  const m = transposeA ? aCols : rowCount >= 0 ? rowCount : aRows - rowBegin;
  const k = transposeA ? aRows : aCols;
  const [b0, b1, b2] = b.shape as [number, number, number | undefined];
  const n = packed ? b0 * PANEL : transposeB ? b0 : b1;
  const kB = packed || transposeB ? b1 : b0;
  if (kB !== k || n % PANEL !== 0 || (packed && b2 !== PANEL) || rowBegin + m > aRows)
    throw new Error(
      `${MAT_MUL}: cannot multiply a [${a.shape.join(', ')}] (rows ${rowBegin}+${m}, transposed ${transposeA}) ` +
        `by b [${b.shape.join(', ')}] (packed ${packed}, transposed ${transposeB})`,
    );
  const out = wasm.makeOutput([m, n], 'float32');
  const heap = wasm.wasm as unknown as WasmHeap;
  const pa = heap._malloc(Math.ceil(m / 4) * 4 * k * 4) >>> 0;
  const pb = packed ? 0 : heap._malloc(n * k * 4) >>> 0;
  try {
    simd.packA(wasm.getMemoryOffset(a.dataId) + rowBegin * aCols * 4, aCols, m, k, transposeA ? 1 : 0, pa);
    if (!packed) simd.packB(wasm.getMemoryOffset(b.dataId), b1, k, n, transposeB ? 1 : 0, pb);
    simd.gemm(pa, packed ? wasm.getMemoryOffset(b.dataId) : pb, wasm.getMemoryOffset(out.dataId), n, m, k, n);
  } finally {
    heap._free(pa);
    if (!packed) heap._free(pb);
  }
  return out;
};

const packRightWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { b } = inputs as { b: tf.TensorInfo };
  const { transposeB } = attrs as unknown as PackAttrs;
  checkFloat32(PACK_RIGHT, [b]);
  const wasm = backend as BackendWasm;
  const simd = gemmFor(wasm);
  const [rows, cols] = b.shape as [number, number];
  const [k, n] = transposeB ? [cols, rows] : [rows, cols];
  const out = wasm.makeOutput([n / PANEL, k, PANEL], 'float32');
  simd.packB(
    wasm.getMemoryOffset(b.dataId),
    cols,
    k,
    n,
    transposeB ? 1 : 0,
    wasm.getMemoryOffset(out.dataId),
  );
  return out;
};

/** Registers the kernels for the wasm backend and assembles matmul.wat; returns why not, or null. */
export async function installMatMulKernels(): Promise<string | null> {
  if (tf.getKernel(MAT_MUL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: MAT_MUL, backendName: 'wasm', kernelFunc: matMulWasm });
    tf.registerKernel({ kernelName: PACK_RIGHT, backendName: 'wasm', kernelFunc: packRightWasm });
  }
  return gemmSimd.compile();
}

/** Whether products with N columns run on the SIMD GEMM on the active backend. */
function simdApplies(n: number): boolean {
  return n > 0 && n % PANEL === 0 && gemmSimd.ready && tf.getBackend() === 'wasm';
}

/** Whether the active backend runs products on the SIMD GEMM (for the benchmark's report). */
export function gemmSimdActive(): boolean {
  return simdApplies(PANEL);
}

/** A right operand prepared for many products: packed on the SIMD path, the matrix itself otherwise. */
export class RightOperand {
  private constructor(
    /** [N / 8, K, 8] when packed; otherwise the caller's matrix. */
    readonly tensor: tf.Tensor,
    readonly packed: boolean,
    readonly transposed: boolean,
  ) {}

  /** B, or B^T when `transposed`, as the right operand of matMul. */
  static prepare(b: tf.Tensor2D, transposed = false): RightOperand {
    const n = transposed ? b.shape[0] : b.shape[1];
    if (!simdApplies(n) || b.shape[0] === 0 || b.shape[1] === 0)
      return new RightOperand(b, false, transposed);
    const attrs: PackAttrs = { transposeB: transposed };
    const packed = tf.engine().runKernel(PACK_RIGHT, { b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return new RightOperand(packed, true, false);
  }

  /** Frees the packed copy (never the caller's matrix). */
  dispose(): void {
    if (this.packed) this.tensor.dispose();
  }
}

export interface MatMulOptions {
  readonly transposeA?: boolean;
  /** For a plain matrix b: use b^T. */
  readonly transposeB?: boolean;
  /** Use rows [begin, begin + count) of a only (a not transposed). */
  readonly rows?: { readonly begin: number; readonly count: number };
}

/** a b (with the options' transposes and row range) as a [M, N] tensor. */
export function matMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D | RightOperand,
  options: MatMulOptions = {},
): tf.Tensor2D {
  const transposeA = options.transposeA ?? false;
  if (transposeA && options.rows !== undefined) throw new Error('matMul: a row range of a transposed a');
  const right = b instanceof RightOperand ? b : null;
  const transposeB = right === null ? (options.transposeB ?? false) : right.transposed;
  const bTensor = right === null ? (b as tf.Tensor2D) : right.tensor;
  const k = transposeA ? a.shape[0] : a.shape[1];
  const n = right?.packed
    ? (bTensor.shape[0] as number) * PANEL
    : (bTensor.shape[transposeB ? 0 : 1] as number);
  const m = transposeA ? a.shape[1] : (options.rows?.count ?? a.shape[0]);
  if (right?.packed || (simdApplies(n) && k > 0 && m > 0)) {
    const attrs: MatMulAttrs = {
      transposeA,
      transposeB,
      packed: right?.packed ?? false,
      rowBegin: options.rows?.begin ?? 0,
      rowCount: options.rows?.count ?? -1,
    };
    return tf
      .engine()
      .runKernel(MAT_MUL, { a, b: bTensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const left =
      options.rows === undefined ? a : tf.slice(a, [options.rows.begin, 0], [options.rows.count, -1]);
    return tf.matMul(left, bTensor as tf.Tensor2D, transposeA, transposeB);
  });
}
