/**
 * Names of the published ONNX graph's boundary: the serving side feeds and reads them, and the
 * exporter (training-image/src/onnx/constants.ts re-exports this) writes them. Defined here because
 * core is the layer both sides import; this module imports nothing, so the exporter pulls in no ORT.
 */
export const ONNX_IO = {
  /** float32 [batch, sequenceLength, featureCount]: scaled feature windows, oldest step first. */
  input: 'sequence',
  /** float32 [batch, 1]: the scaled close of the candle after each window. */
  output: 'output',
  /** The symbolic (dynamic) batch dimension of both. */
  batchDimension: 'batch',
} as const;
