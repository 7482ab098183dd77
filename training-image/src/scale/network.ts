import * as tf from '@tensorflow/tfjs';
import type { UnitFamily } from '../../../core/distribution/family.js';
import { DenseHead } from '../model/dense-head.js';
import { gateScale, toInternal, type LstmParams } from '../model/lstm-layer.js';
import { lstmPath, type LayerGradients, type LstmPath, type LstmPathName } from '../model/lstm-path.js';
import type { SeededRandom } from '../model/random.js';
import type { LstmLayerWeights } from '../model/weights.js';
import { scaleCrps, type ScaleTargets } from './loss.js';

export interface ScaleNetworkShape {
  /** Hours of the sequence (its time steps). */
  readonly hours: number;
  /** Values per hour (SCALE_SEQUENCE_CHANNELS). */
  readonly channels: number;
  readonly hiddenSize: number;
  /** Inputs of the linear term (scaleInputNames of the linear correction's spec). */
  readonly linearInputs: number;
}

/**
 * One member's weights. The linear term reads the linear correction's inputs standardised (z), as the
 * correction is fitted; the export folds the standardisation into the graph.
 */
export interface ScaleMemberWeights {
  readonly shape: ScaleNetworkShape;
  readonly lstm: LstmLayerWeights;
  /** [H]: the head on the last hidden state. */
  readonly headKernel: Float32Array;
  readonly headBias: Float32Array;
  /** [d]: the linear term on the standardised inputs. */
  readonly linearKernel: Float32Array;
  readonly linearBias: Float32Array;
}

/** The linear correction the network starts from: weights on the standardised inputs, and a bias. */
export interface LinearStart {
  readonly weights: readonly number[];
  readonly bias: number;
}

/**
 * The scale network of one member: an LSTM over the last hours of scale-free inputs, a Dense(1) head on
 * its last hidden state started at zero, and a linear term over the linear correction's inputs started
 * at the fitted correction. Its output is the log of the next log return's scale as a multiple of B1,
 * so an untrained network is the linear correction exactly: the network can only earn its place by
 * moving away from it.
 */
export class ScaleNetwork {
  public readonly shape: ScaleNetworkShape;
  private readonly path: LstmPath;
  private readonly kernel: tf.Variable<tf.Rank.R2>;
  private readonly recurrentKernel: tf.Variable<tf.Rank.R2>;
  private readonly bias: tf.Variable<tf.Rank.R1>;
  private readonly head: DenseHead;
  private readonly linear: DenseHead;

  private constructor(weights: ScaleMemberWeights, path: LstmPathName | 'auto') {
    this.shape = weights.shape;
    this.path = lstmPath(path);
    const { inputSize, hiddenSize } = weights.lstm;
    [this.kernel, this.recurrentKernel, this.bias] = tf.tidy(() => [
      tf.variable(tf.tensor2d(weights.lstm.kernel, [inputSize, 4 * hiddenSize])),
      tf.variable(tf.tensor2d(weights.lstm.recurrentKernel, [hiddenSize, 4 * hiddenSize])),
      tf.variable(tf.tensor1d(weights.lstm.bias)),
    ]);
    this.head = new DenseHead(weights.headKernel, weights.headBias, hiddenSize);
    this.linear = new DenseHead(weights.linearKernel, weights.linearBias, weights.shape.linearInputs);
  }

  /** PyTorch's LSTM initialisation (uniform +-1/sqrt(H), its two biases summed), a zero head, the linear start. */
  public static initialize(
    shape: ScaleNetworkShape,
    start: LinearStart,
    random: SeededRandom,
    options: { readonly lstmPath?: LstmPathName | 'auto' } = {},
  ): ScaleNetwork {
    if (start.weights.length !== shape.linearInputs) {
      throw new RangeError(`${start.weights.length} linear weights for ${shape.linearInputs} inputs`);
    }
    const h = shape.hiddenSize;
    const bound = 1 / Math.sqrt(h);
    const inputBias = random.uniform(4 * h, -bound, bound);
    const recurrentBias = random.uniform(4 * h, -bound, bound);
    const lstm: LstmLayerWeights = {
      inputSize: shape.channels,
      hiddenSize: h,
      kernel: random.uniform(shape.channels * 4 * h, -bound, bound),
      recurrentKernel: random.uniform(h * 4 * h, -bound, bound),
      bias: inputBias.map((value, i) => value + (recurrentBias[i] as number)),
    };
    return new ScaleNetwork(
      {
        shape,
        lstm,
        headKernel: new Float32Array(h),
        headBias: new Float32Array(1),
        linearKernel: Float32Array.from(start.weights),
        linearBias: Float32Array.of(start.bias),
      },
      options.lstmPath ?? 'auto',
    );
  }

  public static fromWeights(weights: ScaleMemberWeights, path: LstmPathName | 'auto' = 'auto'): ScaleNetwork {
    return new ScaleNetwork(weights, path);
  }

  /** log_scale for each window, [B, 1]. `steps`: T tensors of [B, channels]; `z`: [B, d] standardised. */
  public predict(steps: readonly tf.Tensor2D[], z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.output(this.path.lastHidden(steps, [this.params()]), z));
  }

  /**
   * The mean scale-free CRPS of a batch and its gradient for every trainable variable (trainableVariables()
   * order): the family's CRPS and its derivative in log_scale are computed in float64 (scaleCrps), and
   * that derivative is handed to the LSTM's backward pass written out in lstm-layer.ts.
   */
  public lossAndGradients(
    steps: readonly tf.Tensor2D[],
    z: tf.Tensor2D,
    targets: ScaleTargets,
    family: UnitFamily,
  ): { loss: number; grads: tf.Tensor[] } {
    let loss = Number.NaN;
    const grads = tf.tidy(() => {
      let heads: tf.Tensor[] = [];
      const [layer] = this.path.backpropagate(steps, [this.params()], [null], (lastH) => {
        const output = this.output(lastH, z);
        const scored = scaleCrps(family, output.dataSync(), targets);
        loss = scored.mean;
        const dOutput = tf.tensor2d(Float32Array.from(scored.gradient), output.shape);
        const head = this.head.backward(lastH, dOutput);
        const linear = this.linear.backward(z, dOutput);
        heads = [head.kernel, head.bias, linear.kernel, linear.bias];
        return head.dInput;
      });
      if (layer === undefined) throw new Error('the LSTM path gave no layer gradients');
      return [...this.storedWeightGradients(layer), ...heads];
    });
    return { loss, grads };
  }

  public trainableVariables(): tf.Variable[] {
    return [
      this.kernel,
      this.recurrentKernel,
      this.bias,
      ...this.head.variables(),
      ...this.linear.variables(),
    ];
  }

  public toWeights(): ScaleMemberWeights {
    return {
      shape: this.shape,
      lstm: {
        inputSize: this.shape.channels,
        hiddenSize: this.shape.hiddenSize,
        kernel: this.kernel.dataSync() as Float32Array,
        recurrentKernel: this.recurrentKernel.dataSync() as Float32Array,
        bias: this.bias.dataSync() as Float32Array,
      },
      headKernel: this.head.kernel.dataSync() as Float32Array,
      headBias: this.head.bias.dataSync() as Float32Array,
      linearKernel: this.linear.kernel.dataSync() as Float32Array,
      linearBias: this.linear.bias.dataSync() as Float32Array,
    };
  }

  /** Overwrites the variables in place (restoring early stopping's best epoch). */
  public assignWeights(weights: ScaleMemberWeights): void {
    tf.tidy(() => {
      this.kernel.assign(tf.tensor2d(weights.lstm.kernel, this.kernel.shape));
      this.recurrentKernel.assign(tf.tensor2d(weights.lstm.recurrentKernel, this.recurrentKernel.shape));
      this.bias.assign(tf.tensor1d(weights.lstm.bias));
    });
    this.head.assign(weights.headKernel, weights.headBias);
    this.linear.assign(weights.linearKernel, weights.linearBias);
  }

  public dispose(): void {
    for (const variable of this.trainableVariables()) variable.dispose();
  }

  private output(lastH: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
    return tf.add(this.head.apply(lastH), this.linear.apply(z)) as tf.Tensor2D;
  }

  private params(): LstmParams {
    return toInternal(this.kernel, this.recurrentKernel, this.bias);
  }

  /** The layer computes with the candidate block doubled; chain rule back to the stored weights. */
  private storedWeightGradients(grads: LayerGradients): tf.Tensor[] {
    const scale = gateScale(this.shape.hiddenSize);
    return [tf.mul(grads.kernel, scale), tf.mul(grads.recurrentKernel, scale), tf.mul(grads.bias, scale)];
  }
}
