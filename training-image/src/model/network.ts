import * as tf from '@tensorflow/tfjs';
import {
  gateScale,
  lstmBackward,
  lstmForward,
  toInternal,
  type LstmForward,
  type LstmParams,
} from './lstm-layer.js';
import { lstmKernelsAvailable } from '../tf/lstm-kernels.js';
import { fusedLstmBackward, fusedLstmForward, type Arriving, type FusedForward } from './fused-lstm-layer.js';
import { SeededRandom } from './random.js';
import type { ForecastNetworkWeights, LstmLayerWeights } from './weights.js';

export interface NetworkShape {
  readonly sequenceLength: number;
  readonly featureCount: number;
  readonly hiddenSize: number;
  readonly layers: number;
  readonly dropoutRate: number;
  /** See ForecastNetworkWeights.residualFeature; absent for the original level target. */
  readonly residualFeature?: number | undefined;
  /** See ForecastNetworkWeights.outputScale; absent: 1. */
  readonly outputScale?: number | undefined;
}

interface LstmVariables {
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly recurrentKernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;
}

export type Gradients = {
  loss: tf.Scalar;
  /** One per trainable variable, in trainableVariables() order. */
  grads: tf.Tensor[];
};

export interface ForwardOptions {
  /** Dropout between LSTM layers is applied only when a generator (or masks) is given. */
  readonly dropout?: SeededRandom | undefined;
  /**
   * Ready-made inverted-dropout masks, masks[layer][t] of [B * H], for every layer but the last.
   * Parallel workers draw theirs with dropoutMaskRows: the numbers a single thread would draw,
   * so a seed gives the same run with or without workers.
   */
  readonly masks?: readonly (readonly Float32Array[])[] | undefined;
}

/**
 * The original system's network: stacked LSTM (dropout between layers, as
 * PyTorch's nn.LSTM applies it) and a Dense(1) head on the last hidden state.
 * A window batch enters as T tensors of [B, F], one per time step (see lstm-layer.ts).
 */
export class ForecastNetwork {
  public readonly shape: NetworkShape;
  /**
   * `fused`: one kernel per LSTM step (wasm and cpu backends, see tf/lstm-kernels.ts); `ops`: the
   * same maths op by op (any backend, native TensorFlow's path); `auto`: fused where available.
   */
  public lstmPath: 'auto' | 'fused' | 'ops' = 'auto';
  private readonly lstm: readonly LstmVariables[];
  private readonly denseKernel: tf.Variable<tf.Rank.R2>;
  private readonly denseBias: tf.Variable<tf.Rank.R1>;

  private constructor(shape: NetworkShape, weights: ForecastNetworkWeights) {
    this.shape = shape;
    // tidy frees the initial tensors; the variables own copies of their data.
    const [lstm, denseKernel, denseBias] = tf.tidy(() => [
      weights.lstm.map((layer) => ({
        kernel: tf.variable(tf.tensor2d(layer.kernel, [layer.inputSize, 4 * layer.hiddenSize])),
        recurrentKernel: tf.variable(
          tf.tensor2d(layer.recurrentKernel, [layer.hiddenSize, 4 * layer.hiddenSize]),
        ),
        bias: tf.variable(tf.tensor1d(layer.bias)),
      })),
      tf.variable(tf.tensor2d(weights.denseKernel, [shape.hiddenSize, 1])),
      tf.variable(tf.tensor1d(weights.denseBias)),
    ]);
    this.lstm = lstm;
    this.denseKernel = denseKernel;
    this.denseBias = denseBias;
  }

  /** PyTorch's initialisation: every weight uniform in +-1/sqrt(H); its two LSTM biases summed into one. */
  public static initialize(shape: NetworkShape, random: SeededRandom): ForecastNetwork {
    const h = shape.hiddenSize;
    const bound = 1 / Math.sqrt(h);
    if (shape.residualFeature !== undefined && !(shape.residualFeature < shape.featureCount))
      throw new Error(
        `residualFeature ${shape.residualFeature} is not one of ${shape.featureCount} features`,
      );
    const lstm: LstmLayerWeights[] = [];
    for (let layer = 0; layer < shape.layers; layer++) {
      const inputSize = layer === 0 ? shape.featureCount : h;
      const inputBias = random.uniform(4 * h, -bound, bound);
      const recurrentBias = random.uniform(4 * h, -bound, bound);
      lstm.push({
        inputSize,
        hiddenSize: h,
        kernel: random.uniform(inputSize * 4 * h, -bound, bound),
        recurrentKernel: random.uniform(h * 4 * h, -bound, bound),
        bias: inputBias.map((value, i) => value + (recurrentBias[i] as number)),
      });
    }
    const denseKernel = random.uniform(h, -bound, bound);
    const denseBias = random.uniform(1, -bound, bound);
    // A residual network starts as the naive forecast (next close = last close): a zero head.
    // The draws above still happen so both target modes start from the same LSTM weights.
    if (shape.residualFeature !== undefined) {
      denseKernel.fill(0);
      denseBias.fill(0);
    }
    return new ForecastNetwork(shape, {
      sequenceLength: shape.sequenceLength,
      featureCount: shape.featureCount,
      lstm,
      denseKernel,
      denseBias,
      residualFeature: shape.residualFeature,
      outputScale: shape.outputScale,
    });
  }

  public static fromWeights(weights: ForecastNetworkWeights, dropoutRate = 0): ForecastNetwork {
    const first = weights.lstm[0];
    if (first === undefined) throw new Error('a network needs at least one LSTM layer');
    return new ForecastNetwork(
      {
        sequenceLength: weights.sequenceLength,
        featureCount: weights.featureCount,
        hiddenSize: first.hiddenSize,
        layers: weights.lstm.length,
        dropoutRate,
        residualFeature: weights.residualFeature,
        outputScale: weights.outputScale,
      },
      weights,
    );
  }

  /**
   * Predicts the scaled close after each window. `steps` is the window as T
   * tensors of [B, F] (see stepsFromTimeMajor); the result is [B, 1].
   */
  public predict(steps: readonly tf.Tensor2D[]): tf.Tensor2D {
    if (this.useFused()) return this.predictFused(steps);
    return tf.tidy(() => {
      let input = steps;
      for (const layer of this.lstm) {
        input = lstmForward(input, this.internalParams(layer), false).hs;
      }
      return this.head(input[input.length - 1] as tf.Tensor2D, steps);
    });
  }

  /**
   * The mean squared error on one batch and its gradient for every trainable
   * variable (same order as trainableVariables()), by backpropagation through
   * time written out in lstm-layer.ts; no TensorFlow.js tape is involved.
   */
  public lossAndGradients(
    steps: readonly tf.Tensor2D[],
    labels: tf.Tensor2D,
    options: ForwardOptions = {},
  ): Gradients {
    if (this.useFused()) return this.lossAndGradientsFused(steps, labels, options);
    return tf.tidy(() => {
      const params = this.lstm.map((layer) => this.internalParams(layer));
      const inputs: (readonly tf.Tensor2D[])[] = [];
      const forwards: LstmForward[] = [];
      const masks: (tf.Tensor2D[] | null)[] = [];
      let input = steps;
      params.forEach((layerParams, index) => {
        inputs.push(input);
        const forward = lstmForward(input, layerParams, true);
        forwards.push(forward);
        const isLast = index === params.length - 1;
        const given = options.masks?.[index];
        const random = options.dropout;
        const drawn = random !== undefined && this.shape.dropoutRate > 0;
        if (!isLast && (given !== undefined || drawn)) {
          const layerMasks = forward.hs.map((h, t) =>
            tf.tensor2d(
              given?.[t] ?? (random as SeededRandom).dropoutMask(h.size, this.shape.dropoutRate),
              h.shape,
            ),
          );
          masks.push(layerMasks);
          input = forward.hs.map((h, t) => tf.mul(h, layerMasks[t] as tf.Tensor2D));
        } else {
          masks.push(null);
          input = forward.hs;
        }
      });

      const top = forwards[forwards.length - 1] as LstmForward;
      const head = this.headLoss(top.hs[top.hs.length - 1] as tf.Tensor2D, steps, labels);
      const layerGrads: tf.Tensor[][] = [];
      let dhs: (tf.Tensor2D | null)[] = top.hs.map((_, t) => (t === top.hs.length - 1 ? head.dLastH : null));
      for (let index = params.length - 1; index >= 0; index--) {
        const grads = lstmBackward(
          inputs[index] as readonly tf.Tensor2D[],
          forwards[index] as LstmForward,
          params[index] as LstmParams,
          dhs,
          index > 0,
        );
        layerGrads[index] = this.storedWeightGradients(grads);
        if (grads.dxs !== null) {
          const below = masks[index - 1] ?? null;
          dhs =
            below === null
              ? grads.dxs
              : grads.dxs.map((dx, t) => tf.mul(dx, below[t] as tf.Tensor2D) as tf.Tensor2D);
        }
      }
      return { loss: head.loss, grads: [...layerGrads.flat(), head.denseKernel, head.denseBias] };
    });
  }

  /**
   * The batch's mean squared error, the dense layer's gradients and the gradient arriving at the top
   * LSTM layer's last hidden state: the same for both paths.
   */
  private headLoss(
    lastH: tf.Tensor2D,
    steps: readonly tf.Tensor2D[],
    labels: tf.Tensor2D,
  ): { loss: tf.Scalar; denseKernel: tf.Tensor; denseBias: tf.Tensor; dLastH: tf.Tensor2D } {
    const error = tf.sub(this.head(lastH, steps), labels);
    const loss = tf.mean(tf.square(error)) as tf.Scalar;
    // At the dense layer's output: the residual's output scale multiplies what the prediction receives.
    const dDense = tf.mul(error, (2 / labels.shape[0]) * (this.shape.outputScale ?? 1)) as tf.Tensor2D;
    return {
      loss,
      denseKernel: tf.matMul(tf.transpose(lastH), dDense),
      denseBias: tf.sum(dDense, 0),
      dLastH: tf.matMul(dDense, tf.transpose(this.denseKernel)) as tf.Tensor2D,
    };
  }

  /** The layers compute with the candidate block doubled; chain rule back to the stored weights. */
  private storedWeightGradients(grads: {
    kernel: tf.Tensor;
    recurrentKernel: tf.Tensor;
    bias: tf.Tensor;
  }): tf.Tensor[] {
    const scale = gateScale(this.shape.hiddenSize);
    return [tf.mul(grads.kernel, scale), tf.mul(grads.recurrentKernel, scale), tf.mul(grads.bias, scale)];
  }

  private useFused(): boolean {
    return this.lstmPath === 'fused' || (this.lstmPath === 'auto' && lstmKernelsAvailable());
  }

  private predictFused(steps: readonly tf.Tensor2D[]): tf.Tensor2D {
    return tf.tidy(() => {
      const T = steps.length;
      let input = tf.concat(steps as tf.Tensor2D[], 0) as tf.Tensor2D;
      let hs: tf.Tensor2D[] = [];
      this.lstm.forEach((layer, index) => {
        hs = fusedLstmForward(input, T, this.internalParams(layer), false).hs;
        if (index < this.lstm.length - 1) input = tf.concat(hs, 0) as tf.Tensor2D;
      });
      return this.head(hs[T - 1] as tf.Tensor2D, steps);
    });
  }

  /** lossAndGradients on the fused kernels: each layer's sequence is one time-major [T * B, H] tensor. */
  private lossAndGradientsFused(
    steps: readonly tf.Tensor2D[],
    labels: tf.Tensor2D,
    options: ForwardOptions,
  ): Gradients {
    return tf.tidy(() => {
      const T = steps.length;
      const batch = labels.shape[0];
      const params = this.lstm.map((layer) => this.internalParams(layer));
      const inputs: tf.Tensor2D[] = [];
      const forwards: FusedForward[] = [];
      const masks: (tf.Tensor2D | null)[] = [];
      let input = tf.concat(steps as tf.Tensor2D[], 0) as tf.Tensor2D;
      params.forEach((layerParams, index) => {
        inputs.push(input);
        const forward = fusedLstmForward(input, T, layerParams, true);
        forwards.push(forward);
        if (index === params.length - 1) return;
        const sequence = tf.concat(forward.hs, 0) as tf.Tensor2D;
        const mask = this.layerMask(index, T, batch, options);
        masks.push(mask);
        input = mask === null ? sequence : (tf.mul(sequence, mask) as tf.Tensor2D);
      });

      const top = forwards[forwards.length - 1] as FusedForward;
      const head = this.headLoss(top.hs[T - 1] as tf.Tensor2D, steps, labels);
      const layerGrads: tf.Tensor[][] = [];
      let arriving: Arriving = { kind: 'last-step', dh: head.dLastH };
      for (let index = params.length - 1; index >= 0; index--) {
        const grads = fusedLstmBackward(
          inputs[index] as tf.Tensor2D,
          forwards[index] as FusedForward,
          params[index] as LstmParams,
          arriving,
          index > 0,
        );
        layerGrads[index] = this.storedWeightGradients(grads);
        if (grads.dx !== null) {
          const below = masks[index - 1] ?? null;
          arriving = {
            kind: 'every-step',
            dh: below === null ? grads.dx : (tf.mul(grads.dx, below) as tf.Tensor2D),
          };
        }
      }
      return { loss: head.loss, grads: [...layerGrads.flat(), head.denseKernel, head.denseBias] };
    });
  }

  /**
   * Inverted-dropout mask on layer `index`'s output as one time-major [T * B, H] tensor, from the
   * given masks or drawn from the generator in the order the op-by-op path draws them; null for none.
   */
  private layerMask(
    index: number,
    steps: number,
    batch: number,
    options: ForwardOptions,
  ): tf.Tensor2D | null {
    const given = options.masks?.[index];
    const random = options.dropout;
    const drawn = random !== undefined && this.shape.dropoutRate > 0;
    if (given === undefined && !drawn) return null;
    const size = batch * this.shape.hiddenSize;
    const all = new Float32Array(steps * size);
    for (let t = 0; t < steps; t++) {
      all.set(given?.[t] ?? (random as SeededRandom).dropoutMask(size, this.shape.dropoutRate), t * size);
    }
    return tf.tensor2d(all, [steps * batch, this.shape.hiddenSize]);
  }

  private internalParams(layer: LstmVariables): LstmParams {
    return toInternal(layer.kernel, layer.recurrentKernel, layer.bias);
  }

  /** Dense(1) on the last hidden state, plus the last step's residual feature in residual mode. */
  private head(h: tf.Tensor2D, steps: readonly tf.Tensor2D[]): tf.Tensor2D {
    const dense = tf.add(tf.matMul(h, this.denseKernel), this.denseBias) as tf.Tensor2D;
    const scale = this.shape.outputScale;
    const out = scale === undefined || scale === 1 ? dense : (tf.mul(dense, scale) as tf.Tensor2D);
    const feature = this.shape.residualFeature;
    if (feature === undefined) return out;
    const last = steps[steps.length - 1] as tf.Tensor2D;
    return tf.add(out, tf.slice(last, [0, feature], [last.shape[0], 1]));
  }

  /** Every trainable variable's values, in trainableVariables() order (for shipping to workers). */
  public weightArrays(): Float32Array[] {
    return this.trainableVariables().map((v) => v.dataSync() as Float32Array);
  }

  /** Overwrites every trainable variable from weightArrays() output. */
  public setWeightArrays(arrays: readonly Float32Array[]): void {
    const variables = this.trainableVariables();
    if (arrays.length !== variables.length)
      throw new Error(`expected ${variables.length} weight arrays, got ${arrays.length}`);
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(arrays[i] as Float32Array, v.shape))));
  }

  public trainableVariables(): tf.Variable[] {
    return [
      ...this.lstm.flatMap((l) => [l.kernel, l.recurrentKernel, l.bias]),
      this.denseKernel,
      this.denseBias,
    ];
  }

  /** A copy of the current weights, for early stopping's best state and for ONNX export. */
  public toWeights(): ForecastNetworkWeights {
    return {
      sequenceLength: this.shape.sequenceLength,
      featureCount: this.shape.featureCount,
      lstm: this.lstm.map((layer) => ({
        inputSize: layer.kernel.shape[0],
        hiddenSize: layer.recurrentKernel.shape[0],
        kernel: layer.kernel.dataSync() as Float32Array,
        recurrentKernel: layer.recurrentKernel.dataSync() as Float32Array,
        bias: layer.bias.dataSync() as Float32Array,
      })),
      denseKernel: this.denseKernel.dataSync() as Float32Array,
      denseBias: this.denseBias.dataSync() as Float32Array,
      residualFeature: this.shape.residualFeature,
      outputScale: this.shape.outputScale,
    };
  }

  /** Overwrites the variables in place (restoring early stopping's best epoch). */
  public assignWeights(weights: ForecastNetworkWeights): void {
    tf.tidy(() => this.assignWeightsUntidy(weights));
  }

  private assignWeightsUntidy(weights: ForecastNetworkWeights): void {
    weights.lstm.forEach((layer, index) => {
      const target = this.lstm[index];
      if (target === undefined) throw new Error(`weights have more layers than the network`);
      target.kernel.assign(tf.tensor2d(layer.kernel, target.kernel.shape));
      target.recurrentKernel.assign(tf.tensor2d(layer.recurrentKernel, target.recurrentKernel.shape));
      target.bias.assign(tf.tensor1d(layer.bias));
    });
    this.denseKernel.assign(tf.tensor2d(weights.denseKernel, this.denseKernel.shape));
    this.denseBias.assign(tf.tensor1d(weights.denseBias));
  }

  public dispose(): void {
    for (const variable of this.trainableVariables()) variable.dispose();
  }
}

/** Window batch (batch-major [N, T, F] rows picked by `indices`) to the network's time-major [T * B, F]. */
export function toTimeMajor(
  windows: Float32Array,
  indices: ArrayLike<number>,
  timeSteps: number,
  featureCount: number,
  out: Float32Array = new Float32Array(indices.length * timeSteps * featureCount),
): Float32Array {
  const batch = indices.length;
  const windowSize = timeSteps * featureCount;
  for (let b = 0; b < batch; b++) {
    const start = (indices[b] as number) * windowSize;
    for (let t = 0; t < timeSteps; t++) {
      const from = start + t * featureCount;
      out.set(windows.subarray(from, from + featureCount), (t * batch + b) * featureCount);
    }
  }
  return out;
}

/** Time-major [T * B, F] buffer (toTimeMajor) to the T step tensors the network reads. */
export function stepsFromTimeMajor(x: Float32Array, timeSteps: number, featureCount: number): tf.Tensor2D[] {
  const batch = x.length / (timeSteps * featureCount);
  const size = batch * featureCount;
  return Array.from({ length: timeSteps }, (_, t) =>
    tf.tensor2d(x.subarray(t * size, (t + 1) * size), [batch, featureCount]),
  );
}

/** Where a share of a batch finds its rows of the batch's dropout masks (see dropoutMaskRows). */
export interface DropoutRows {
  /** SeededRandom.position when the batch's masks start. */
  readonly position: number;
  readonly batch: number;
  /** The share's windows: rows [from, to) of the batch. */
  readonly from: number;
  readonly to: number;
}

/** How many numbers lossAndGradients draws for the dropout masks of a batch of `batch` windows. */
export function dropoutDraws(shape: NetworkShape, batch: number): number {
  return shape.dropoutRate <= 0 ? 0 : (shape.layers - 1) * shape.sequenceLength * batch * shape.hiddenSize;
}

/**
 * Rows [from, to) of the masks lossAndGradients would draw for the whole batch from a generator at
 * `position` (masks[layer][t] of [(to - from) * H]), drawn by jumping over the other rows: a
 * parallel worker draws only its own share, and a seed gives the same run with or without workers.
 */
export function dropoutMaskRows(shape: NetworkShape, rows: DropoutRows): Float32Array[][] {
  if (shape.dropoutRate <= 0) return [];
  const H = shape.hiddenSize;
  const size = rows.batch * H;
  return Array.from({ length: shape.layers - 1 }, (_, layer) =>
    Array.from({ length: shape.sequenceLength }, (_, t) => {
      const random = new SeededRandom(rows.position);
      random.skip((layer * shape.sequenceLength + t) * size + rows.from * H);
      return random.dropoutMask((rows.to - rows.from) * H, shape.dropoutRate);
    }),
  );
}
