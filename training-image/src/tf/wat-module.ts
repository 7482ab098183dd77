import { readFile } from 'node:fs/promises';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';
import wabt from 'wabt';

/** A wasm linear memory, as the instances need it: identity only (the lib config has no WebAssembly types). */
type WasmMemory = object;

interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const WASM = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Emscripten keeps the instance's exports, the heap's memory among them, on the module object. */
type WasmModuleWithMemory = BackendWasm['wasm'] & { asm?: { memory?: WasmMemory } };

/** Kernels that take float32 tensors only: stops with the kernel's name on anything else. */
export function checkFloat32(kernelName: string, inputs: readonly tf.TensorInfo[]): void {
  for (const input of inputs) {
    if (input.dtype !== 'float32') throw new Error(`${kernelName}: float32 inputs only, got ${input.dtype}`);
  }
}

/**
 * f32x4.relaxed_madd(a, b, c) = a b + c in one function: the probe that tells whether
 * this runtime takes relaxed SIMD (Node 22 does by default; Node 20 only with
 * --experimental-wasm-relaxed-simd). Bytes rather than text: the check runs before wabt loads.
 */
const RELAXED_SIMD_PROBE = Uint8Array.from(
  [
    '0061736d 01000000', // magic, version 1
    '01 08 01 60 03 7b7b7b 01 7b', // types: one, (v128 v128 v128) -> v128
    '03 02 01 00', // functions: one, of type 0
    '0a 0d 01 0b 00', // code: one body of 11 bytes, no locals
    '2000 2001 2002 fd8502 0b', // local.get 0, 1, 2; f32x4.relaxed_madd (0xfd 0x105); end
  ]
    .join('')
    .replace(/ /g, '')
    .match(/../g) ?? [],
  (byte) => parseInt(byte, 16),
);

/** Whether this runtime's WebAssembly has relaxed SIMD (and so f32x4.relaxed_madd). */
export function relaxedSimdSupported(): boolean {
  return WASM.validate(RELAXED_SIMD_PROBE);
}

export interface WatModuleOptions {
  /** The module uses relaxed SIMD: compile says why not when the runtime lacks it. */
  readonly relaxedSimd?: boolean;
  /** Rewrites the text before it is assembled (a variant of a shared source); throws when it does not apply. */
  readonly transform?: (text: string) => string;
}

/**
 * A hand-written WebAssembly text module that works on another module's memory
 * (TensorFlow.js's wasm heap): assembled once per process by wabt (text, so the
 * kernels are reviewable; ~10 ms), instantiated once per heap (one per thread).
 */
export class WatModule<Exports> {
  private compiled: object | null = null;
  private readonly instances = new WeakMap<WasmMemory, Exports>();

  constructor(
    private readonly file: URL,
    private readonly options: WatModuleOptions = {},
  ) {}

  /** Assembles the module; returns why it could not, or null. Callers fall back to other code. */
  async compile(): Promise<string | null> {
    if (this.compiled !== null) return null;
    const relaxedSimd = this.options.relaxedSimd ?? false;
    if (relaxedSimd && !relaxedSimdSupported())
      return 'this runtime has no relaxed SIMD (Node 22 has it; Node 20 needs --experimental-wasm-relaxed-simd)';
    try {
      const source = await readFile(this.file, 'utf8');
      const text = this.options.transform === undefined ? source : this.options.transform(source);
      const tools = await wabt();
      const parsed = tools.parseWat(this.file.pathname, text, { simd: true, relaxed_simd: relaxedSimd });
      try {
        parsed.validate();
        this.compiled = new WASM.Module(parsed.toBinary({}).buffer);
      } finally {
        parsed.destroy();
      }
      return null;
    } catch (error) {
      return error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error);
    }
  }

  /** Whether compile succeeded. */
  get ready(): boolean {
    return this.compiled !== null;
  }

  /** The exports bound to this wasm backend's heap (one instance per heap: per thread), or null when not compiled. */
  forBackend(backend: BackendWasm): Exports | null {
    const memory = (backend.wasm as WasmModuleWithMemory).asm?.memory;
    if (this.compiled === null || memory === undefined) return null;
    let instance = this.instances.get(memory);
    if (instance === undefined) {
      instance = new WASM.Instance(this.compiled, { env: { memory } }).exports as Exports;
      this.instances.set(memory, instance);
    }
    return instance;
  }
}
