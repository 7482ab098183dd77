import type { DropoutRows } from '../../model/dropout.js';
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
      /** Where this share's rows of the batch's dropout masks are drawn from; null for no dropout. */
      readonly dropout: DropoutRows | null;
    };

export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'gradients'; readonly id: number; readonly loss: number; readonly grads: Float32Array[] }
  | { readonly type: 'error'; readonly id: number | null; readonly message: string };
