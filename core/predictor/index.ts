export { CandleCache, type CandleCacheOptions, type CandleProvider } from './candle-cache.js';
export {
  MarketDataUnavailableError,
  ModelLoadError,
  ModelShapeError,
  PredictorError,
  UNKNOWN_PAIR_REASONS,
  UnknownPairError,
  type UnknownPairReason,
} from './errors.js';
export {
  DISTRIBUTION_FILE,
  loadDistribution,
  type DistributionSummary,
  type LoadedDistribution,
} from './distribution-file.js';
export { modelAge, staleAfterSeconds, type ModelAge } from './model-age.js';
export {
  DEFAULT_SESSION_OPTIONS,
  loadModel,
  type LoadModelOptions,
  type LoadedModel,
  type MetricsSummary,
  type ModelSource,
} from './model-loader.js';
export { ONNX_IO } from './onnx-io.js';
export {
  Predictor,
  type ModelInfo,
  type ModelStatus,
  type PredictOptions,
  type Prediction,
  type PredictorLog,
  type PredictorOptions,
  type PredictorStore,
  type ReloadResult,
} from './predictor.js';
