import * as tf from '@tensorflow/tfjs';

/**
 * One LSTM layer, forward and backward written by hand for the wasm backend's
 * costs, measured on the 2-core machine (../shared/ARCHITECTURE.md and the
 * numbers below):
 * - slicing rows out of a large tensor costs time in proportion to the whole
 *   tensor (7 ms from [7680, 512]), so a sequence is a list of per-step tensors,
 *   never one big tensor sliced per step;
 * - tanh is ~10x slower than sigmoid, so tanh(x) is computed as 2*sigmoid(2x)-1,
 *   with the candidate gate's weights pre-doubled so one sigmoid covers all four
 *   gates;
 * - matMul with a transposed operand is ~8x slower, so transposes are explicit
 *   and done once per batch;
 * - TensorFlow.js's tape adds a node per op; the gradients here need none.
 *
 * Gate order inside 4H is Keras's: input, forget, candidate, output.
 */
export interface LstmParams {
  /** [in, 4H] with the candidate block doubled (see gateScale). */
  readonly kernel: tf.Tensor2D;
  /** [H, 4H], candidate block doubled. */
  readonly recurrentKernel: tf.Tensor2D;
  /** [4H], candidate block doubled. */
  readonly bias: tf.Tensor1D;
}

/** What backward needs from each step. */
export interface LstmCache {
  /** dz = concat([dc, dc, dc, dh]) * gateFactor[t] */
  readonly gateFactor: tf.Tensor2D[];
  /** dc += dh * hToC[t] */
  readonly hToC: tf.Tensor2D[];
  readonly forget: tf.Tensor2D[];
}

export interface LstmForward {
  readonly hs: tf.Tensor2D[];
  readonly cache: LstmCache | null;
}

/** [1 x 4H]: 1 for the sigmoid gates, 2 for the candidate, whose tanh(z) = 2*sigmoid(2z) - 1. */
export function gateScale(hidden: number): tf.Tensor1D {
  const scale = new Float32Array(4 * hidden).fill(1);
  scale.fill(2, 2 * hidden, 3 * hidden);
  return tf.tensor1d(scale);
}

/** Params in the layer's internal form (candidate block doubled) from Keras-form weights. */
export function toInternal(kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): LstmParams {
  const scale = gateScale(recurrentKernel.shape[0]);
  return {
    kernel: tf.mul(kernel, scale),
    recurrentKernel: tf.mul(recurrentKernel, scale),
    bias: tf.mul(bias, scale),
  };
}

export function lstmForward(xs: readonly tf.Tensor2D[], params: LstmParams, keepCache: boolean): LstmForward {
  const first = xs[0];
  if (first === undefined) throw new Error('lstmForward: empty sequence');
  const batch = first.shape[0];
  const hidden = params.recurrentKernel.shape[0];
  const one = tf.scalar(1);
  let h = tf.zeros([batch, hidden]) as tf.Tensor2D;
  let c = tf.zeros([batch, hidden]) as tf.Tensor2D;
  const hs: tf.Tensor2D[] = [];
  const cache: LstmCache = { gateFactor: [], hToC: [], forget: [] };
  for (const x of xs) {
    const cPrev = c;
    const step = tf.tidy(() => {
      const z = tf.add(
        tf.add(tf.matMul(x, params.kernel), tf.matMul(h, params.recurrentKernel)),
        params.bias,
      );
      const s = tf.sigmoid(z);
      const i = tf.slice(s, [0, 0], [batch, hidden]);
      const f = tf.slice(s, [0, hidden], [batch, hidden]);
      const gs = tf.slice(s, [0, 2 * hidden], [batch, hidden]);
      const o = tf.slice(s, [0, 3 * hidden], [batch, hidden]);
      const g = tf.sub(tf.add(gs, gs), one);
      const cNext = tf.add(tf.mul(f, cPrev), tf.mul(i, g)) as tf.Tensor2D;
      const sc = tf.sigmoid(tf.add(cNext, cNext));
      const tc = tf.sub(tf.add(sc, sc), one);
      const hNext = tf.mul(o, tc) as tf.Tensor2D;
      if (!keepCache) return { h: hNext, c: cNext };
      // Derivatives of the gate activations, d sigmoid = s (1 - s), the candidate's 2x folded in.
      const ds = tf.mul(s, tf.sub(one, s));
      return {
        h: hNext,
        c: cNext,
        gateFactor: tf.mul(tf.concat([g, cPrev, tf.add(i, i), tc], 1), ds) as tf.Tensor2D,
        hToC: tf.mul(o, tf.sub(one, tf.square(tc))) as tf.Tensor2D,
        forget: f as tf.Tensor2D,
      };
    });
    h = step.h;
    c = step.c;
    hs.push(h);
    if ('gateFactor' in step && step.gateFactor && step.hToC && step.forget) {
      cache.gateFactor.push(step.gateFactor);
      cache.hToC.push(step.hToC);
      cache.forget.push(step.forget);
    }
  }
  return { hs, cache: keepCache ? cache : null };
}

export interface LstmGradients {
  /** Gradient w.r.t. each step's input, or null when not asked for (the first layer). */
  readonly dxs: tf.Tensor2D[] | null;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

/**
 * Backpropagation through time. `dhs[t]` is the loss gradient arriving at h_t
 * from above (null where nothing arrives, as for all but the last step of the
 * top layer). Gradients are w.r.t. the internal (doubled) params.
 */
export function lstmBackward(
  xs: readonly tf.Tensor2D[],
  forward: LstmForward,
  params: LstmParams,
  dhs: readonly (tf.Tensor2D | null)[],
  wantInputGradients: boolean,
): LstmGradients {
  const cache = forward.cache;
  if (cache === null) throw new Error('lstmBackward: the forward pass kept no cache');
  const steps = xs.length;
  const first = xs[0] as tf.Tensor2D;
  const batch = first.shape[0];
  const hidden = params.recurrentKernel.shape[0];
  const recurrentT = tf.transpose(params.recurrentKernel);
  const kernelT = wantInputGradients ? tf.transpose(params.kernel) : null;

  let dhNext: tf.Tensor2D = tf.zeros([batch, hidden]);
  let dcNext: tf.Tensor2D = tf.zeros([batch, hidden]);
  const dzs = new Array<tf.Tensor2D>(steps);
  const dxs = wantInputGradients ? new Array<tf.Tensor2D>(steps) : null;
  for (let t = steps - 1; t >= 0; t--) {
    const arriving = dhs[t] ?? null;
    const dh = arriving === null ? dhNext : (tf.add(dhNext, arriving) as tf.Tensor2D);
    const dc = tf.add(dcNext, tf.mul(dh, cache.hToC[t] as tf.Tensor2D)) as tf.Tensor2D;
    const dz = tf.mul(tf.concat([dc, dc, dc, dh], 1), cache.gateFactor[t] as tf.Tensor2D) as tf.Tensor2D;
    dzs[t] = dz;
    dhNext = tf.matMul(dz, recurrentT);
    dcNext = tf.mul(dc, cache.forget[t] as tf.Tensor2D);
    if (dxs !== null && kernelT !== null) dxs[t] = tf.matMul(dz, kernelT);
  }
  // Weight gradients for all steps at once: one large matMul each instead of T small ones.
  const dZ = tf.concat(dzs, 0);
  const hPrev = steps === 1 ? [] : forward.hs.slice(0, steps - 1);
  const hPrevAll = tf.concat([tf.zeros([batch, hidden]) as tf.Tensor2D, ...hPrev], 0);
  return {
    dxs,
    kernel: tf.matMul(tf.transpose(tf.concat(xs as tf.Tensor2D[], 0)), dZ),
    recurrentKernel: tf.matMul(tf.transpose(hPrevAll), dZ),
    // A column sum as a matMul with ones: wasm's Sum over axis 0 of [T * B, 4H] takes ~27 ms, the matMul ~1 ms.
    bias: tf.reshape(tf.matMul(tf.ones([1, dZ.shape[0]]), dZ), [dZ.shape[1]]) as tf.Tensor1D,
  };
}
