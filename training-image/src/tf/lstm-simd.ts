import { readFile } from 'node:fs/promises';
import wabt from 'wabt';

/** The exports of lstm-cell.wat; pointers are byte addresses in TensorFlow.js's wasm heap. */
export interface LstmSimd {
  forward(
    xz: number,
    hz: number,
    c: number,
    h: number,
    cOut: number,
    cache: number,
    batch: number,
    hidden: number,
  ): void;
  backward(
    dh: number,
    arrive: number,
    hasArrive: number,
    dc: number,
    cache: number,
    dz: number,
    dcOut: number,
    dzT: number,
    column: number,
    rowLength: number,
    batch: number,
    hidden: number,
  ): void;
}

/** A wasm linear memory, as the SIMD kernels need it: identity only (the lib config has no WebAssembly types). */
export type WasmMemory = object;

interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | null = null;
const instances = new WeakMap<WasmMemory, LstmSimd>();

/**
 * Assembles lstm-cell.wat (text, so the kernel is reviewable; wabt turns it into
 * bytes in ~10 ms). Returns why it could not, or null; callers fall back to the
 * JavaScript loops.
 */
export async function compileLstmSimd(): Promise<string | null> {
  if (compiled !== null) return null;
  try {
    const text = await readFile(new URL('./lstm-cell.wat', import.meta.url), 'utf8');
    const tools = await wabt();
    const parsed = tools.parseWat('lstm-cell.wat', text, { simd: true });
    try {
      parsed.validate();
      compiled = new WASM.Module(parsed.toBinary({}).buffer);
    } finally {
      parsed.destroy();
    }
    return null;
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error);
  }
}

/** Whether compileLstmSimd succeeded. */
export function lstmSimdReady(): boolean {
  return compiled !== null;
}

/** The kernels bound to one wasm heap (one per thread), or null when not compiled. */
export function lstmSimdFor(memory: WasmMemory): LstmSimd | null {
  if (compiled === null) return null;
  let instance = instances.get(memory);
  if (instance === undefined) {
    instance = new WASM.Instance(compiled, { env: { memory } }).exports as LstmSimd;
    instances.set(memory, instance);
  }
  return instance;
}
