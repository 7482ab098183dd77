import { readFile } from 'node:fs/promises';
import wabt from 'wabt';

/** A wasm linear memory, as the SIMD kernels need it: identity only (the lib config has no WebAssembly types). */
export type WasmMemory = object;

interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

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

  /** The exports bound to one wasm heap, or null when not compiled. */
  for(memory: WasmMemory): Exports | null {
    if (this.compiled === null) return null;
    let instance = this.instances.get(memory);
    if (instance === undefined) {
      instance = new WASM.Instance(this.compiled, { env: { memory } }).exports as Exports;
      this.instances.set(memory, instance);
    }
    return instance;
  }
}
