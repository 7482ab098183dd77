export { exportToOnnx } from './export.js';
export { compareOutputs, runOnnx } from './parity.js';
export { validateWeights } from './validate.js';
export {
  DEFAULT_OPSET,
  irVersionForOpset,
  ONNX_IO,
  PRODUCER_NAME,
  SCALE_ONNX_IO,
  SUPPORTED_OPSETS,
} from './constants.js';
export { InvalidWeightsError, OnnxExportError, ParityShapeError, UnsupportedOpsetError } from './errors.js';
export type { ExportOptions, ParityReport, ParityTolerance } from './types.js';
// scale-parity.ts stays out: it runs TensorFlow.js, which the serving tests and bench that import this need not load.
export { exportScaleNetworkToOnnx } from './scale-export.js';
export { validateScaleEnsemble } from './scale-validate.js';
