import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/**
 * AdamW as PyTorch's torch.optim.AdamW computes it (decoupled weight decay:
 * p -= lr * wd * p, then the bias-corrected Adam step). TensorFlow.js ships
 * Adam but not AdamW, and plain L2 in the loss is not the same optimiser.
 */
export class AdamW {
  private readonly learningRate: number;
  private readonly weightDecay: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private step = 0;

  public constructor(options: AdamWOptions) {
    this.learningRate = options.learningRate;
    this.weightDecay = options.weightDecay;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** `grads[i]` is the gradient of `variables[i]`. */
  public applyGradients(variables: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    this.step += 1;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    const stepSize = this.learningRate / correction1;
    tf.tidy(() => {
      variables.forEach((variable, index) => {
        const grad = grads[index];
        if (grad === undefined) throw new Error(`AdamW: no gradient for variable ${index}`);
        const state = this.momentsOf(variable);
        const m = tf.add(tf.mul(state.m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const v = tf.add(tf.mul(state.v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        state.m.assign(m);
        state.v.assign(v);
        const decayed = tf.mul(variable, 1 - this.learningRate * this.weightDecay);
        const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(correction2)), this.epsilon);
        variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)));
      });
    });
  }

  private momentsOf(variable: tf.Variable): { m: tf.Variable; v: tf.Variable } {
    let state = this.moments.get(variable.name);
    if (state === undefined) {
      state = {
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      };
      this.moments.set(variable.name, state);
    }
    return state;
  }

  public dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
