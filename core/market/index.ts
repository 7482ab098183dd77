export { CandleSchema, HOUR_MS, type Candle } from './candle.js';
export {
  CcxtCandleSource,
  createExchange,
  type CcxtCandleSourceOptions,
  type FetchOptions,
  type FetchProgress,
  type RetryNotice,
} from './ccxt-source.js';
export { BUNDLED_EXCHANGE_IDS, loadExchangeClass, type ExchangeClass } from './exchange-classes.js';
export { CSV_LAYOUTS, parseCandlesCsv, readCandlesCsv, type CsvLayout } from './csv-source.js';
export {
  CANDLE_PROBLEM_KINDS,
  CandleValidationError,
  CsvFormatError,
  ExchangeError,
  MarketDataError,
  TimeframeError,
  UnbundledExchangeError,
  UnknownExchangeError,
  type CandleProblem,
  type CandleProblemKind,
  type ExchangeErrorContext,
} from './errors.js';
export { candleOpenTime, timeframeToMs } from './timeframe.js';
export {
  describeValidationReport,
  validateCandles,
  type FilledGap,
  type ValidateCandlesOptions,
  type ValidatedCandles,
  type ValidationReport,
} from './validate.js';
