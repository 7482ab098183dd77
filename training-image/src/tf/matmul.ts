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
 * The GEMM comes in two kernels from the one source: 'fma', whose inner loop is
 * relaxed SIMD's f32x4.relaxed_madd (one fused multiply-add where the CPU has FMA),
 * chosen when the runtime validates relaxed SIMD; and 'simd', plain SIMD multiply
 * then add, the fallback everywhere else.
 *
 * An operand used for many products (the recurrent kernel, once per time step) is
 * packed once with prepareRight.
 */
interface GemmSimd {
  /** bias: address of N floats added to every row of C, or 0 for none. */
  gemm(pa: number, pb: number, c: number, ldc: number, m: number, k: number, n: number, bias: number): void;
  packA(src: number, ld: number, m: number, k: number, transposed: number, dst: number): void;
  packB(src: number, ld: number, k: number, n: number, transposed: number, dst: number): void;
}

export type GemmKernel = 'fma' | 'simd';

/** One multiply-add of the tile's inner loop as matmul.wat writes it: c + s b. */
const MULTIPLY_ADD =
  /\(f32x4\.add \(local\.get (\$c\d\d)\) \(f32x4\.mul \(local\.get \$s\) \(local\.get (\$b\d)\)\)\)/g;
/** The tile's accumulators: 4 rows x 2 vectors. */
const TILE_MULTIPLY_ADDS = 8;

/**
 * matmul.wat with each of the tile's multiply-adds c + s b as f32x4.relaxed_madd(s, b, c).
 * Everything else (packing, loop order, the other operations) stays as written, so the two
 * kernels differ only there. Throws when the source no longer has exactly the tile's 8.
 */
export function withFusedMultiplyAdd(text: string): string {
  let count = 0;
  const fused = text.replace(MULTIPLY_ADD, (_match, c: string, b: string) => {
    count++;
    return `(f32x4.relaxed_madd (local.get $s) (local.get ${b}) (local.get ${c}))`;
  });
  if (count !== TILE_MULTIPLY_ADDS)
    throw new Error(`matmul.wat: expected the tile's ${TILE_MULTIPLY_ADDS} multiply-adds, found ${count}`);
  return fused;
}

const SOURCE = new URL('./matmul.wat', import.meta.url);
const GEMMS: Readonly<Record<GemmKernel, WatModule<GemmSimd>>> = {
  fma: new WatModule<GemmSimd>(SOURCE, { relaxedSimd: true, transform: withFusedMultiplyAdd }),
  simd: new WatModule<GemmSimd>(SOURCE),
};
/** The kernel the products run on (wasm backend), set by installMatMulKernels or useGemmKernel. */
let selected: GemmKernel | null = null;

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
  const simd = selected === null ? null : GEMMS[selected].forBackend(backend);
  if (simd === null) throw new Error(`${MAT_MUL}: the SIMD GEMM is not available on this backend`);
  return simd;
}

const matMulWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b, bias } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
  const { transposeA, transposeB, packed, rowBegin, rowCount } = attrs as unknown as MatMulAttrs;
  checkFloat32(MAT_MUL, bias === undefined ? [a, b] : [a, b, bias]);
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
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== n))
    throw new Error(`${MAT_MUL}: bias [${bias.shape.join(', ')}] for a product of ${n} columns`);
  const out = wasm.makeOutput([m, n], 'float32');
  const heap = wasm.wasm as unknown as WasmHeap;
  const pa = heap._malloc(Math.ceil(m / 4) * 4 * k * 4) >>> 0;
  const pb = packed ? 0 : heap._malloc(n * k * 4) >>> 0;
  try {
    simd.packA(wasm.getMemoryOffset(a.dataId) + rowBegin * aCols * 4, aCols, m, k, transposeA ? 1 : 0, pa);
    if (!packed) simd.packB(wasm.getMemoryOffset(b.dataId), b1, k, n, transposeB ? 1 : 0, pb);
    simd.gemm(
      pa,
      packed ? wasm.getMemoryOffset(b.dataId) : pb,
      wasm.getMemoryOffset(out.dataId),
      n,
      m,
      k,
      n,
      bias === undefined ? 0 : wasm.getMemoryOffset(bias.dataId),
    );
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

export interface GemmInstall {
  /** The kernel products run on, null when neither assembled (tf.matMul everywhere). */
  readonly kernel: GemmKernel | null;
  /** Why a kernel was not assembled, one line each: "fma: ...", "simd: ...". */
  readonly skipped: readonly string[];
}

/**
 * Registers the kernels for the wasm backend and assembles both GEMMs (once per
 * thread); the products then run on 'fma' when this runtime has relaxed SIMD, else 'simd'.
 */
export async function installMatMulKernels(): Promise<GemmInstall> {
  if (tf.getKernel(MAT_MUL, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: MAT_MUL, backendName: 'wasm', kernelFunc: matMulWasm });
    tf.registerKernel({ kernelName: PACK_RIGHT, backendName: 'wasm', kernelFunc: packRightWasm });
  }
  const skipped: string[] = [];
  for (const kernel of ['fma', 'simd'] as const) {
    const failure = await GEMMS[kernel].compile();
    if (failure !== null) skipped.push(`${kernel}: ${failure}`);
  }
  if (selected === null) selected = GEMMS.fma.ready ? 'fma' : GEMMS.simd.ready ? 'simd' : null;
  return { kernel: selected, skipped };
}

/**
 * Runs the products on one kernel (tests, the benchmark); 'auto' restores the start-up choice.
 * Call after installMatMulKernels; throws when that kernel did not assemble here.
 */
export function useGemmKernel(kernel: GemmKernel | 'auto'): void {
  if (kernel === 'auto') {
    selected = GEMMS.fma.ready ? 'fma' : GEMMS.simd.ready ? 'simd' : null;
    return;
  }
  if (!GEMMS[kernel].ready)
    throw new Error(`useGemmKernel: the ${kernel} GEMM did not assemble in this runtime`);
  selected = kernel;
}

/** Whether this runtime assembled the kernel (after installMatMulKernels). */
export function gemmKernelReady(kernel: GemmKernel): boolean {
  return GEMMS[kernel].ready;
}

/** Whether products with N columns run on the SIMD GEMM on the active backend. */
function simdApplies(n: number): boolean {
  return n > 0 && n % PANEL === 0 && selected !== null && tf.getBackend() === 'wasm';
}

/** The GEMM kernel the active backend's products run on, or null (tf.matMul). */
export function activeGemmKernel(): GemmKernel | null {
  return simdApplies(PANEL) ? selected : null;
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
  /** [N]: added to every row of the product (by the GEMM itself on the SIMD path). */
  readonly bias?: tf.Tensor1D;
}

/** a b (with the options' transposes, row range and bias) as a [M, N] tensor. */
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
    const inputs: tf.NamedTensorMap = { a, b: bTensor };
    if (options.bias !== undefined) inputs['bias'] = options.bias;
    return tf.engine().runKernel(MAT_MUL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  return tf.tidy((): tf.Tensor2D => {
    const left =
      options.rows === undefined ? a : tf.slice(a, [options.rows.begin, 0], [options.rows.count, -1]);
    const product = tf.matMul(left, bTensor as tf.Tensor2D, transposeA, transposeB) as tf.Tensor2D;
    return options.bias === undefined ? product : tf.add<tf.Tensor2D>(product, options.bias);
  });
}
