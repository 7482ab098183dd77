/** The graph's boundary names: core owns them (the serving side feeds and reads them), the exporter writes them. */
export { ONNX_IO, SCALE_ONNX_IO } from '../../../adapters/inference/onnx-io.js';

export const PRODUCER_NAME = 'crypto-forecast';

export const DEFAULT_OPSET = 17;

/**
 * Opsets the exporter writes. 13 is the first where Squeeze takes its axes as an input,
 * which the graph uses; every operator used (Transpose, LSTM, Squeeze, MatMul, Add)
 * keeps the same meaning up to 21.
 */
export const SUPPORTED_OPSETS = { min: 13, max: 21 } as const;

/**
 * The IR version released together with each opset of the default domain (onnx's
 * helper.VERSION_TABLE): the lowest IR version a runtime must understand to load the model.
 */
const IR_VERSION_BY_OPSET: Readonly<Record<number, number>> = {
  13: 7,
  14: 7,
  15: 8,
  16: 8,
  17: 8,
  18: 8,
  19: 9,
  20: 9,
  21: 10,
};

/** The IR version that goes with `opset`; undefined outside SUPPORTED_OPSETS. */
export function irVersionForOpset(opset: number): number | undefined {
  return IR_VERSION_BY_OPSET[opset];
}
