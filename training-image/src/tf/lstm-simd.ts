import { WatModule, type WasmMemory } from './wat-module.js';

export type { WasmMemory };

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
    batch: number,
    hidden: number,
  ): void;
}

const lstmSimd = new WatModule<LstmSimd>(new URL('./lstm-cell.wat', import.meta.url));

/** Assembles lstm-cell.wat; returns why it could not, or null (callers fall back to the JavaScript loops). */
export function compileLstmSimd(): Promise<string | null> {
  return lstmSimd.compile();
}

/** Whether compileLstmSimd succeeded. */
export function lstmSimdReady(): boolean {
  return lstmSimd.ready;
}

/** The kernels bound to one wasm heap (one per thread), or null when not compiled. */
export function lstmSimdFor(memory: WasmMemory): LstmSimd | null {
  return lstmSimd.for(memory);
}
