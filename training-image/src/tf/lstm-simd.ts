import { WatModule } from './wat-module.js';

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

/** lstm-cell.wat; callers fall back to the JavaScript loops when it does not assemble. */
export const lstmSimd = new WatModule<LstmSimd>(new URL('./lstm-cell.wat', import.meta.url));
