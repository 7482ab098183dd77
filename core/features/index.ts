export { dayOfMonth, dayOfWeek, monthOfYear, weekOfYear, calendarFeatures } from './calendar.js';
export type { CalendarFeatures } from './calendar.js';
export {
  CLOSE_INDEX,
  FEATURE_COUNT,
  FEATURE_NAMES,
  describeFeatureSets,
  featureIndex,
  featureSetOf,
} from './columns.js';
export type { FeatureColumn, FeatureName } from './columns.js';
export { FeatureError, InvalidCandleError, NotEnoughDataError, ScalerError } from './errors.js';
export type { NotEnoughDataContext } from './errors.js';
export { extractFeatures } from './extract.js';
export { assertFeatureMatrix, sliceRows } from './matrix.js';
export { minimumTrainingCandles, prepareTrainingData, prepareWindow, windowCandles } from './pipeline.js';
export type { TestCloses, TrainingData } from './pipeline.js';
export {
  DEFAULT_FEATURE_RANGE,
  MinMaxScaler,
  ScalerJsonSchema,
  fitMinMaxScaler,
  scalerFromJson,
  scalerFromJsonText,
  scalerToJson,
} from './scaler.js';
export type { MinMaxScalerParams, ScalerJson } from './scaler.js';
export { lastStepValues, makeSequences, splitSequences, trainWindowCount } from './sequences.js';
export { splitByTime, trainRowCount } from './split.js';
export type {
  DataRange,
  FeatureMatrix,
  FeatureRange,
  SequenceSet,
  SequenceSplit,
  TimeSplit,
  TrainingDataOptions,
} from './types.js';
export {
  EXTENDED_COLUMNS,
  EXTENDED_FEATURE_NAMES,
  FEATURE_SETS,
  VOLUME_LOOKBACK,
  candleLogReturn,
  extractFeatureSet,
  featureNames,
  hourAngle,
  logRange,
  relativeLogVolume,
  warmupCandles,
} from './extended.js';
export type { ExtendedFeatureName, FeatureSet, FeatureSetMatrix } from './extended.js';
