export { exportToOnnx } from './export.js';
export { compareOutputs, runOnnx } from './parity.js';
export { validateWeights } from './validate.js';
export { DEFAULT_OPSET, irVersionForOpset, ONNX_IO, PRODUCER_NAME, SUPPORTED_OPSETS } from './constants.js';
export { InvalidWeightsError, OnnxExportError, ParityShapeError, UnsupportedOpsetError } from './errors.js';
export type { ExportOptions, ParityReport, ParityTolerance } from './types.js';
