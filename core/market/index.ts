export { CandleSchema, HOUR_MS, type Candle } from './candle.js';
export {
  CANDLE_PROBLEM_KINDS,
  CandleValidationError,
  MarketDataError,
  TimeframeError,
  type CandleProblem,
  type CandleProblemKind,
} from './errors.js';
export { PairSchema, type Pair } from './pair.js';
export { candleOpenTime, timeframeToMs } from './timeframe.js';
export {
  describeValidationReport,
  validateCandles,
  type FilledGap,
  type ValidateCandlesOptions,
  type ValidatedCandles,
  type ValidationReport,
} from './validate.js';
