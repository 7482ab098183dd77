/**
 * The trained weights of the forecasting network, in one plain layout that the
 * TensorFlow.js trainer writes and the ONNX exporter reads. All matrices are
 * row-major Float32Arrays.
 *
 * Gate order inside every 4H block is Keras's: input, forget, cell (candidate), output.
 * Activations: sigmoid for gates, tanh for the candidate and the cell output.
 */
export interface LstmLayerWeights {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** [inputSize, 4 * hiddenSize]: x_t @ kernel */
  readonly kernel: Float32Array;
  /** [hiddenSize, 4 * hiddenSize]: h_{t-1} @ recurrentKernel */
  readonly recurrentKernel: Float32Array;
  /** [4 * hiddenSize] */
  readonly bias: Float32Array;
}

export interface ForecastNetworkWeights {
  readonly sequenceLength: number;
  readonly featureCount: number;
  /** Stacked LSTM layers; layer 0 reads the features, layer k reads layer k-1's hidden states. */
  readonly lstm: readonly LstmLayerWeights[];
  /** Dense head on the last layer's final hidden state: [hiddenSize, 1]. */
  readonly denseKernel: Float32Array;
  /** [1] */
  readonly denseBias: Float32Array;
  /**
   * Residual target: the input feature whose value at the window's last step is added to the
   * head's output, so the network learns the change and still outputs the level. Absent: the
   * head's output is the forecast itself (the original system).
   */
  readonly residualFeature?: number | undefined;
  /**
   * Residual target only: the head's output is multiplied by this before the feature is added, so
   * the network works in units of the typical one-step change (whose scaled size, ~0.005, is far
   * under the steps an Adam optimiser takes) and the ONNX export folds it into the dense weights.
   * Absent: 1. 0 (a model shrunk all the way toward the naive forecast) ignores the network.
   */
  readonly outputScale?: number | undefined;
}
