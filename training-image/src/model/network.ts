import * as tf from '@tensorflow/tfjs';
import { DenseHead } from './dense-head.js';
import { dropoutMasks, type DropoutOptions } from './dropout.js';
import { gateScale, toInternal, type LstmParams } from './lstm-layer.js';
import { lstmPath, type LayerGradients, type LstmPath, type LstmPathName } from './lstm-path.js';
import type { SeededRandom } from './random.js';
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

export interface NetworkOptions {
  /** How the LSTM layers compute (see lstm-path.ts); default `auto`: fused where the backend has the kernels. */
  readonly lstmPath?: LstmPathName | 'auto' | undefined;
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

export type ForwardOptions = DropoutOptions;

/**
 * The original system's network: stacked LSTM (dropout between layers, as PyTorch's nn.LSTM
 * applies it) and a Dense(1) head on the last hidden state. A window batch enters as T tensors of
 * [B, F], one per time step (see batch-layout.ts). How the LSTM layers run is fixed when the
 * network is built (lstm-path.ts); everything above the last hidden state is here.
 */
export class ForecastNetwork {
  public readonly shape: NetworkShape;
  public readonly lstmPath: LstmPathName;
  private readonly path: LstmPath;
  private readonly lstm: readonly LstmVariables[];
  /** The forecast: scaled by outputScale, plus the residual feature in residual mode. */
  private readonly head: DenseHead;

  private constructor(shape: NetworkShape, weights: ForecastNetworkWeights, options: NetworkOptions) {
    this.shape = shape;
    this.path = lstmPath(options.lstmPath);
    this.lstmPath = this.path.name;
    // tidy frees the initial tensors; the variables own copies of their data.
    this.lstm = tf.tidy(() =>
      weights.lstm.map((layer) => ({
        kernel: tf.variable(tf.tensor2d(layer.kernel, [layer.inputSize, 4 * layer.hiddenSize])),
        recurrentKernel: tf.variable(
          tf.tensor2d(layer.recurrentKernel, [layer.hiddenSize, 4 * layer.hiddenSize]),
        ),
        bias: tf.variable(tf.tensor1d(layer.bias)),
      })),
    );
    this.head = new DenseHead(weights.denseKernel, weights.denseBias, shape.hiddenSize);
  }

  /** PyTorch's initialisation: every weight uniform in +-1/sqrt(H); its two LSTM biases summed into one. */
  public static initialize(
    shape: NetworkShape,
    random: SeededRandom,
    options: NetworkOptions = {},
  ): ForecastNetwork {
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
    return new ForecastNetwork(
      shape,
      {
        sequenceLength: shape.sequenceLength,
        featureCount: shape.featureCount,
        lstm,
        denseKernel,
        denseBias,
        residualFeature: shape.residualFeature,
        outputScale: shape.outputScale,
      },
      options,
    );
  }

  public static fromWeights(
    weights: ForecastNetworkWeights,
    options: NetworkOptions & { readonly dropoutRate?: number } = {},
  ): ForecastNetwork {
    const first = weights.lstm[0];
    if (first === undefined) throw new Error('a network needs at least one LSTM layer');
    return new ForecastNetwork(
      {
        sequenceLength: weights.sequenceLength,
        featureCount: weights.featureCount,
        hiddenSize: first.hiddenSize,
        layers: weights.lstm.length,
        dropoutRate: options.dropoutRate ?? 0,
        residualFeature: weights.residualFeature,
        outputScale: weights.outputScale,
      },
      weights,
      options,
    );
  }

  /**
   * Predicts the scaled close after each window. `steps` is the window as T
   * tensors of [B, F] (see stepsFromTimeMajor); the result is [B, 1].
   */
  public predict(steps: readonly tf.Tensor2D[]): tf.Tensor2D {
    return tf.tidy(() => this.forecast(this.path.lastHidden(steps, this.internalParams()), steps));
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
    return tf.tidy(() => {
      const masks = dropoutMasks(this.shape, labels.shape[0], steps.length, options);
      let loss: tf.Scalar | undefined;
      let head: { kernel: tf.Tensor; bias: tf.Tensor } | undefined;
      const layers = this.path.backpropagate(steps, this.internalParams(), masks, (lastH) => {
        const error = tf.sub(this.forecast(lastH, steps), labels);
        loss = tf.mean(tf.square(error)) as tf.Scalar;
        // At the dense layer's output: the residual's output scale multiplies what the forecast receives.
        const dDense = tf.mul(error, (2 / labels.shape[0]) * (this.shape.outputScale ?? 1)) as tf.Tensor2D;
        const grads = this.head.backward(lastH, dDense);
        head = grads;
        return grads.dInput;
      });
      if (loss === undefined || head === undefined) throw new Error('the LSTM path never reached the head');
      return {
        loss,
        grads: [...layers.flatMap((layer) => this.storedWeightGradients(layer)), head.kernel, head.bias],
      };
    });
  }

  /** The layers compute with the candidate block doubled; chain rule back to the stored weights. */
  private storedWeightGradients(grads: LayerGradients): tf.Tensor[] {
    const scale = gateScale(this.shape.hiddenSize);
    return [tf.mul(grads.kernel, scale), tf.mul(grads.recurrentKernel, scale), tf.mul(grads.bias, scale)];
  }

  private internalParams(): LstmParams[] {
    return this.lstm.map((layer) => toInternal(layer.kernel, layer.recurrentKernel, layer.bias));
  }

  /** The forecast head on the last hidden state: Dense(1), scaled, plus the residual feature in residual mode. */
  private forecast(h: tf.Tensor2D, steps: readonly tf.Tensor2D[]): tf.Tensor2D {
    const dense = this.head.apply(h);
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
    return [...this.lstm.flatMap((l) => [l.kernel, l.recurrentKernel, l.bias]), ...this.head.variables()];
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
      denseKernel: this.head.kernel.dataSync() as Float32Array,
      denseBias: this.head.bias.dataSync() as Float32Array,
      residualFeature: this.shape.residualFeature,
      outputScale: this.shape.outputScale,
    };
  }

  /** Overwrites the variables in place (restoring early stopping's best epoch). */
  public assignWeights(weights: ForecastNetworkWeights): void {
    tf.tidy(() =>
      weights.lstm.forEach((layer, index) => {
        const target = this.lstm[index];
        if (target === undefined) throw new Error(`weights have more layers than the network`);
        target.kernel.assign(tf.tensor2d(layer.kernel, target.kernel.shape));
        target.recurrentKernel.assign(tf.tensor2d(layer.recurrentKernel, target.recurrentKernel.shape));
        target.bias.assign(tf.tensor1d(layer.bias));
      }),
    );
    this.head.assign(weights.denseKernel, weights.denseBias);
  }

  public dispose(): void {
    for (const variable of this.trainableVariables()) variable.dispose();
  }
}
