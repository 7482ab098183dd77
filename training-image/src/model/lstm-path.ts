import * as tf from '@tensorflow/tfjs';
import { lstmKernelsAvailable } from '../tf/lstm-kernels.js';
import type { LayerMasks } from './dropout.js';
import { fusedLstmBackward, fusedLstmForward, type Arriving, type FusedForward } from './fused-lstm-layer.js';
import { lstmBackward, lstmForward, type LstmForward, type LstmParams } from './lstm-layer.js';

/**
 * `fused`: one kernel per LSTM step (wasm and cpu backends, see tf/lstm-kernels.ts); `ops`: the same
 * maths op by op (any backend, native TensorFlow's path).
 */
export type LstmPathName = 'fused' | 'ops';

/** One layer's weight gradients, w.r.t. its parameters in the computing form (see lstm-layer.ts). */
export interface LayerGradients {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

/**
 * How a stack of LSTM layers runs forward and backward. The network picks one when it is built and
 * owns everything above the top layer's last hidden state (the heads and the loss). Callers run these
 * inside tf.tidy.
 */
export interface LstmPath {
  readonly name: LstmPathName;
  /** The top layer's hidden state after the last step, [B, H]. `steps`: T tensors of [B, F]. */
  lastHidden(steps: readonly tf.Tensor2D[], layers: readonly LstmParams[]): tf.Tensor2D;
  /**
   * The training pass: forward with `masks` applied to each layer's output, then `head(lastH)` for
   * the loss gradient at the top layer's last hidden state, then back through every layer.
   */
  backpropagate(
    steps: readonly tf.Tensor2D[],
    layers: readonly LstmParams[],
    masks: LayerMasks,
    head: (lastH: tf.Tensor2D) => tf.Tensor2D,
  ): LayerGradients[];
}

/** A window batch as T step tensors of [B, H] from layer to layer (lstm-layer.ts). */
const opsPath: LstmPath = {
  name: 'ops',
  lastHidden(steps, layers) {
    let input = steps;
    for (const params of layers) input = lstmForward(input, params, false).hs;
    return input[input.length - 1] as tf.Tensor2D;
  },
  backpropagate(steps, layers, masks, head) {
    const inputs: (readonly tf.Tensor2D[])[] = [];
    const forwards: LstmForward[] = [];
    const maskTensors: (tf.Tensor2D[] | null)[] = [];
    let input = steps;
    layers.forEach((params, index) => {
      inputs.push(input);
      const forward = lstmForward(input, params, true);
      forwards.push(forward);
      const mask = masks[index] ?? null;
      const stepMasks = mask === null ? null : forward.hs.map((h, t) => tf.tensor2d(mask[t]!, h.shape));
      maskTensors.push(stepMasks);
      input = stepMasks === null ? forward.hs : forward.hs.map((h, t) => tf.mul(h, stepMasks[t]!));
    });

    const top = forwards[forwards.length - 1] as LstmForward;
    const dLastH = head(top.hs[top.hs.length - 1] as tf.Tensor2D);
    const gradients: LayerGradients[] = [];
    let dhs: (tf.Tensor2D | null)[] = top.hs.map((_, t) => (t === top.hs.length - 1 ? dLastH : null));
    for (let index = layers.length - 1; index >= 0; index--) {
      const grads = lstmBackward(inputs[index]!, forwards[index]!, layers[index]!, dhs, index > 0);
      gradients[index] = grads;
      if (grads.dxs !== null) {
        const below = maskTensors[index - 1] ?? null;
        dhs = below === null ? grads.dxs : grads.dxs.map((dx, t) => tf.mul(dx, below[t]!) as tf.Tensor2D);
      }
    }
    return gradients;
  },
};

/** A layer's whole sequence as one time-major [T * B, H] tensor between layers (fused-lstm-layer.ts). */
const fusedPath: LstmPath = {
  name: 'fused',
  lastHidden(steps, layers) {
    const T = steps.length;
    let input = tf.concat(steps as tf.Tensor2D[], 0) as tf.Tensor2D;
    let hs: tf.Tensor2D[] = [];
    layers.forEach((params, index) => {
      hs = fusedLstmForward(input, T, params, false).hs;
      if (index < layers.length - 1) input = tf.concat(hs, 0) as tf.Tensor2D;
    });
    return hs[T - 1] as tf.Tensor2D;
  },
  backpropagate(steps, layers, masks, head) {
    const T = steps.length;
    const inputs: tf.Tensor2D[] = [];
    const forwards: FusedForward[] = [];
    const maskTensors: (tf.Tensor2D | null)[] = [];
    let input = tf.concat(steps as tf.Tensor2D[], 0) as tf.Tensor2D;
    layers.forEach((params, index) => {
      inputs.push(input);
      const forward = fusedLstmForward(input, T, params, true);
      forwards.push(forward);
      if (index === layers.length - 1) return;
      const sequence = tf.concat(forward.hs, 0) as tf.Tensor2D;
      const mask = timeMajorMask(masks[index] ?? null, sequence.shape);
      maskTensors.push(mask);
      input = mask === null ? sequence : (tf.mul(sequence, mask) as tf.Tensor2D);
    });

    const top = forwards[forwards.length - 1] as FusedForward;
    const gradients: LayerGradients[] = [];
    let arriving: Arriving = { kind: 'last-step', dh: head(top.hs[T - 1] as tf.Tensor2D) };
    for (let index = layers.length - 1; index >= 0; index--) {
      const grads = fusedLstmBackward(inputs[index]!, forwards[index]!, layers[index]!, arriving, index > 0);
      gradients[index] = grads;
      if (grads.dx !== null) {
        const below = maskTensors[index - 1] ?? null;
        arriving = {
          kind: 'every-step',
          dh: below === null ? grads.dx : (tf.mul(grads.dx, below) as tf.Tensor2D),
        };
      }
    }
    return gradients;
  },
};

/** A layer's step masks as one time-major [T * B, H] tensor, or null for none. */
function timeMajorMask(mask: readonly Float32Array[] | null, shape: [number, number]): tf.Tensor2D | null {
  if (mask === null) return null;
  const size = mask[0]?.length ?? 0;
  const all = new Float32Array(mask.length * size);
  mask.forEach((step, t) => all.set(step, t * size));
  return tf.tensor2d(all, shape);
}

/** The path by name; `auto`: fused where the backend has the step kernels, else op by op. */
export function lstmPath(name: LstmPathName | 'auto' = 'auto'): LstmPath {
  if (name === 'auto') return lstmKernelsAvailable() ? fusedPath : opsPath;
  return name === 'fused' ? fusedPath : opsPath;
}
