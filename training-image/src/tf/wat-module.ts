import { readFile } from 'node:fs/promises';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';
import wabt from 'wabt';

/** A wasm linear memory, as the instances need it: identity only (the lib config has no WebAssembly types). */
type WasmMemory = object;

interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
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
 * A hand-written WebAssembly text module that works on another module's memory
 * (TensorFlow.js's wasm heap): assembled once per process by wabt (text, so the
 * kernels are reviewable; ~10 ms), instantiated once per heap (one per thread).
 */
export class WatModule<Exports> {
  private compiled: object | null = null;
  private readonly instances = new WeakMap<WasmMemory, Exports>();

  constructor(private readonly file: URL) {}

  /** Assembles the module; returns why it could not, or null. Callers fall back to other code. */
  async compile(): Promise<string | null> {
    if (this.compiled !== null) return null;
    try {
      const text = await readFile(this.file, 'utf8');
      const tools = await wabt();
      const parsed = tools.parseWat(this.file.pathname, text, { simd: true });
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
