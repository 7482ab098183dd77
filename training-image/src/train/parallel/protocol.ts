import type { NetworkShape } from '../../model/network.js';

/** Messages between the training thread and its gradient workers. */
export type ToWorker =
  | { readonly type: 'init'; readonly shape: NetworkShape; readonly backend: 'wasm' | 'cpu' }
  | {
      readonly type: 'gradients';
      readonly id: number;
      /** Current values of every trainable variable, in trainableVariables() order. */
      readonly weights: Float32Array[];
      /** This worker's windows, time-major [T * b, F]. */
      readonly x: Float32Array;
      readonly y: Float32Array;
      /** masks[layer][t] of [b * H], or none when no dropout applies. */
      readonly masks: Float32Array[][];
    };

export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'gradients'; readonly id: number; readonly loss: number; readonly grads: Float32Array[] }
  | { readonly type: 'error'; readonly id: number | null; readonly message: string };
