import * as tf from '@tensorflow/tfjs';
import { lstmCell, lstmCellGrad } from '../tf/lstm-kernels.js';
import type { LstmGradients, LstmParams } from './lstm-layer.js';

/**
 * The LSTM layer of lstm-layer.ts on the fused step kernels (tf/lstm-kernels.ts),
 * for the wasm and cpu backends. Same parameters (candidate block doubled), same
 * results; per step and direction one matMul and one kernel instead of ~35 ops.
 *
 * A layer's input arrives time-major as one [T * B, in] tensor, so its projection
 * for every step (x W + b) is one large matMul, and the weight gradients are one
 * matMul each over all steps.
 */
export interface FusedForward {
  /** Hidden state after each step, [B, H] each. */
  readonly hs: tf.Tensor2D[];
  /** Per step [B, 6H] (see lstm-kernels.ts), or null when not training. */
  readonly caches: tf.Tensor2D[] | null;
}

export function fusedLstmForward(
  x: tf.Tensor2D,
  steps: number,
  params: LstmParams,
  keepCache: boolean,
): FusedForward {
  const batch = x.shape[0] / steps;
  const hidden = params.recurrentKernel.shape[0];
  const xz = tf.add(tf.matMul(x, params.kernel), params.bias) as tf.Tensor2D;
  const noRecurrence = tf.zeros([batch, 4 * hidden]) as tf.Tensor2D;
  let c = tf.zeros([batch, hidden]) as tf.Tensor2D;
  const hs: tf.Tensor2D[] = [];
  const caches: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const previous = hs[t - 1];
    const hz =
      previous === undefined ? noRecurrence : (tf.matMul(previous, params.recurrentKernel) as tf.Tensor2D);
    const [h, cNext, cache] = lstmCell(xz, hz, c, t * batch, keepCache) as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D | undefined,
    ];
    // Freed at once rather than at the end of the caller's tidy: backward needs neither.
    if (hz !== noRecurrence) hz.dispose();
    c.dispose();
    c = cNext;
    hs.push(h);
    if (cache !== undefined) caches.push(cache);
  }
  xz.dispose();
  noRecurrence.dispose();
  return { hs, caches: keepCache ? caches : null };
}

/**
 * Where the loss gradient w.r.t. h_t comes from above: the next layer's input
 * gradient for every step ([T * B, H]), or, for the top layer, only the last
 * step's ([B, H], from the dense head).
 */
export type Arriving =
  | { readonly kind: 'every-step'; readonly dh: tf.Tensor2D }
  | { readonly kind: 'last-step'; readonly dh: tf.Tensor2D };

export interface FusedGradients extends Omit<LstmGradients, 'dxs'> {
  /** Gradient w.r.t. the layer input, time-major [T * B, in], or null when not asked for. */
  readonly dx: tf.Tensor2D | null;
}

export function fusedLstmBackward(
  x: tf.Tensor2D,
  forward: FusedForward,
  params: LstmParams,
  arriving: Arriving,
  wantInputGradient: boolean,
): FusedGradients {
  const caches = forward.caches;
  if (caches === null) throw new Error('fusedLstmBackward: the forward pass kept no cache');
  const steps = forward.hs.length;
  const batch = x.shape[0] / steps;
  const hidden = params.recurrentKernel.shape[0];
  const recurrentT = tf.transpose(params.recurrentKernel) as tf.Tensor2D;
  const zero = tf.zeros([batch, hidden]) as tf.Tensor2D;

  // dz of every step, transposed ([4H, T * B]), filled in place by the step kernel.
  const dzT = tf.zeros([4 * hidden, steps * batch]) as tf.Tensor2D;
  const dzs = new Array<tf.Tensor2D>(steps);
  let dc = zero;
  for (let t = steps - 1; t >= 0; t--) {
    const later = dzs[t + 1];
    const dh = later === undefined ? zero : (tf.matMul(later, recurrentT) as tf.Tensor2D);
    const arriveRow = arriving.kind === 'every-step' ? t * batch : t === steps - 1 ? 0 : -1;
    const [dz, dcPrevious] = lstmCellGrad(
      dh,
      arriving.dh,
      arriveRow,
      dc,
      caches[t] as tf.Tensor2D,
      dzT,
      t * batch,
    );
    if (dh !== zero) dh.dispose();
    if (dc !== zero) dc.dispose();
    if (later !== undefined && !wantInputGradient) later.dispose();
    dzs[t] = dz;
    dc = dcPrevious;
  }
  dc.dispose();

  // Weight gradients for all steps at once, transposed: dzT x inputs reads dzT as it is, where
  // T(inputs) x dZ would have XNNPACK repack the [T * B, 4H] dZ first (~40 ms a call).
  const hPrevious = tf.concat([zero, ...forward.hs.slice(0, steps - 1)], 0) as tf.Tensor2D;
  const ones = tf.ones([steps * batch, 1]);
  let dx: tf.Tensor2D | null = null;
  if (wantInputGradient) {
    const dZ = tf.concat(dzs, 0) as tf.Tensor2D;
    dx = tf.matMul(dZ, tf.transpose(params.kernel)) as tf.Tensor2D;
  }
  tf.dispose(dzs);
  return {
    dx,
    kernel: tf.transpose(tf.matMul(dzT, x)) as tf.Tensor2D,
    recurrentKernel: tf.transpose(tf.matMul(dzT, hPrevious)) as tf.Tensor2D,
    bias: tf.reshape(tf.matMul(dzT, ones), [4 * hidden]) as tf.Tensor1D,
  };
}
