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

/**
 * Names of the shared scale network's graph boundary (core/distribution/shared-network.ts describes
 * the contract; training-image/src/onnx/scale-export.ts writes it). Raw inputs cross the boundary, so
 * serving feeds what writeScaleInputs writes and the standardisation fitted in training cannot drift
 * from the weights that assume it: it is folded into the graph.
 */
export const SCALE_ONNX_IO = {
  /** float32 [batch, hours, 2]: writeScaleSequence's channels (SCALE_SEQUENCE_CHANNELS), oldest hour first. */
  sequence: 'sequence',
  /** float32 [batch, d]: the linear correction's inputs in scaleInputNames order, raw (not standardised). */
  inputs: 'scale_inputs',
  /** float32 [batch, 1]: log of the next log return's scale as a multiple of B1 (the members' mean). */
  output: 'log_scale',
  /** The symbolic (dynamic) batch dimension of all three. */
  batchDimension: 'batch',
} as const;
