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
  /**
   * float32 [batch, 1], only in a graph with a scale head: z, the log of the next log return's scale
   * as a multiple of B1. Served as sigma_B1 x exp(shrink x z), shrink from distribution.json: the graph
   * carries the head's raw output, so a model reads the same whatever validation made of it.
   */
  logScale: 'log_scale',
  /** The symbolic (dynamic) batch dimension of both. */
  batchDimension: 'batch',
} as const;
