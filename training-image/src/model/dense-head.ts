import * as tf from '@tensorflow/tfjs';

/** A Dense layer's gradients, and the gradient it passes back to its input. */
export interface DenseGradients {
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly dInput: tf.Tensor2D;
}

/**
 * A Dense layer on the top LSTM layer's last hidden state: `h @ kernel + bias`, with its own
 * backward pass. The network's forecast is one; another (a scale for a predictive distribution)
 * reads the same hidden state, and the gradients both pass back are summed there.
 */
export class DenseHead {
  public readonly kernel: tf.Variable<tf.Rank.R2>;
  public readonly bias: tf.Variable<tf.Rank.R1>;

  /** `kernel` row-major [inputSize, units], `bias` [units]; the variables own copies. */
  public constructor(kernel: Float32Array, bias: Float32Array, inputSize: number) {
    const units = bias.length;
    this.kernel = tf.tidy(() => tf.variable(tf.tensor2d(kernel, [inputSize, units])));
    this.bias = tf.tidy(() => tf.variable(tf.tensor1d(bias)));
  }

  /** [B, units]. */
  public apply(input: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(input, this.kernel), this.bias) as tf.Tensor2D;
  }

  /** From the loss gradient at the output ([B, units]) and the input the output came from. */
  public backward(input: tf.Tensor2D, dOutput: tf.Tensor2D): DenseGradients {
    return {
      kernel: tf.matMul(tf.transpose(input), dOutput),
      bias: tf.sum(dOutput, 0) as tf.Tensor1D,
      dInput: tf.matMul(dOutput, tf.transpose(this.kernel)),
    };
  }

  public variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  public assign(kernel: Float32Array, bias: Float32Array): void {
    tf.tidy(() => {
      this.kernel.assign(tf.tensor2d(kernel, this.kernel.shape));
      this.bias.assign(tf.tensor1d(bias));
    });
  }

  public dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}
