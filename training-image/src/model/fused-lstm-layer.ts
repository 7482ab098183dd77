import * as tf from '@tensorflow/tfjs';
import { lstmCell, lstmCellGrad } from '../tf/lstm-kernels.js';
import { matMul, RightOperand } from '../tf/matmul.js';
import { uninitialized } from '../tf/uninitialized.js';
import type { LstmGradients, LstmParams } from './lstm-layer.js';

/**
 * The LSTM layer of lstm-layer.ts on the fused step kernels (tf/lstm-kernels.ts),
 * for the wasm and cpu backends. Same parameters (candidate block doubled), same
 * results; per step and direction one matMul and one kernel instead of ~35 ops.
 *
 * A layer's input arrives time-major as one [T * B, in] tensor, so its projection
 * for every step (x W + b) is one large matMul, and the weight gradients are one
 * matMul each over all steps. Products go through tf/matmul.ts (the SIMD GEMM on
 * wasm), which packs the recurrent kernel once per pass rather than once per step
 * and reads transposed operands as they are.
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
  const xz = matMul(x, params.kernel, { bias: params.bias });
  const recurrent = RightOperand.prepare(params.recurrentKernel);
  const noRecurrence = tf.zeros([batch, 4 * hidden]) as tf.Tensor2D;
  let c = tf.zeros([batch, hidden]) as tf.Tensor2D;
  const hs: tf.Tensor2D[] = [];
  const caches: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const previous = hs[t - 1];
    const hz = previous === undefined ? noRecurrence : matMul(previous, recurrent);
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
  recurrent.dispose();
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
  const recurrentT = RightOperand.prepare(params.recurrentKernel, true);
  const zero = tf.zeros([batch, hidden]) as tf.Tensor2D;

  // dz of every step, time-major [T * B, 4H], filled in place by the step kernel (every row, each
  // before it is read: so not zeroed first, which cost more than the step kernels).
  const dZ = uninitialized([steps * batch, 4 * hidden]) as tf.Tensor2D;
  let dc = zero;
  for (let t = steps - 1; t >= 0; t--) {
    const dh =
      t === steps - 1 ? zero : matMul(dZ, recurrentT, { rows: { begin: (t + 1) * batch, count: batch } });
    const arriveRow = arriving.kind === 'every-step' ? t * batch : t === steps - 1 ? 0 : -1;
    const dcPrevious = lstmCellGrad(dh, arriving.dh, arriveRow, dc, caches[t] as tf.Tensor2D, dZ, t * batch);
    if (dh !== zero) dh.dispose();
    if (dc !== zero) dc.dispose();
    dc = dcPrevious;
  }
  dc.dispose();
  recurrentT.dispose();

  // Weight gradients for all steps at once: x^T dZ, h_{t-1}^T dZ and 1^T dZ, the transposes read in
  // place and dZ packed once for the three.
  const hPrevious = tf.concat([zero, ...forward.hs.slice(0, steps - 1)], 0) as tf.Tensor2D;
  const ones = tf.ones([1, steps * batch]) as tf.Tensor2D;
  const dZRight = RightOperand.prepare(dZ);
  const gradients = {
    dx: wantInputGradient ? matMul(dZ, params.kernel, { transposeB: true }) : null,
    kernel: matMul(x, dZRight, { transposeA: true }),
    recurrentKernel: matMul(hPrevious, dZRight, { transposeA: true }),
    bias: tf.reshape(matMul(ones, dZRight), [4 * hidden]) as tf.Tensor1D,
  };
  dZRight.dispose();
  tf.dispose([dZ, hPrevious, ones, zero]);
  return gradients;
}
