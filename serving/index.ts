export { CandleCache, type CandleCacheOptions, type CandleProvider } from './candle-cache.js';
export {
  MarketDataUnavailableError,
  MarketStaleError,
  ModelLoadError,
  ModelOutputError,
  ModelShapeError,
  PredictorError,
  StorageTimeoutError,
  UNKNOWN_PAIR_REASONS,
  UnknownPairError,
  type UnknownPairReason,
} from './errors.js';
export { withDeadline } from './deadline.js';
export {
  DISTRIBUTION_FILE,
  loadDistribution,
  type DistributionSummary,
  type LoadedDistribution,
} from './distribution-file.js';
export { CLOCK_SKEW_TOLERANCE_SECONDS, modelAge, staleAfterSeconds, type ModelAge } from './model-age.js';
export {
  loadModel,
  type LoadModelOptions,
  type LoadedModel,
  type MetricsSummary,
  type ModelSource,
} from './model-loader.js';
export { ONNX_IO } from '../adapters/inference/onnx-io.js';
export { isStorageFailure, StorageMonitor, type StorageHealth } from './storage-health.js';
export {
  Predictor,
  STORAGE_WAITS_MS,
  type ModelInfo,
  type ModelStatus,
  type PredictOptions,
  type Prediction,
  type PredictorLog,
  type PredictorOptions,
  type PredictorStore,
  type ReloadResult,
} from './predictor.js';
