/**
 * Names of the published ONNX graph's boundary, as training-image/src/onnx/constants.ts writes them.
 * Repeated here because core never imports the training image (it would pull TensorFlow.js into the
 * serving bundle); test/core/predictor/onnx-io.test.ts fails if the two ever differ.
 */
export const ONNX_IO = {
  /** float32 [batch, sequenceLength, featureCount]: scaled feature windows, oldest step first. */
  input: 'sequence',
  /** float32 [batch, 1]: the scaled close of the candle after each window. */
  output: 'output',
  /** The symbolic (dynamic) batch dimension of both. */
  batchDimension: 'batch',
} as const;
