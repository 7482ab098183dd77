export {
  CcxtCandleSource,
  createExchange,
  type CcxtCandleSourceOptions,
  type FetchOptions,
  type FetchProgress,
  type RetryNotice,
} from './ccxt-source.js';
export {
  CsvFormatError,
  ExchangeError,
  UnbundledExchangeError,
  UnknownExchangeError,
  type ExchangeErrorContext,
} from './errors.js';
export { loadCcxt, loadExchangeClass, type CcxtModule, type ExchangeClass } from './exchange-classes.js';
export { CSV_LAYOUTS, parseCandlesCsv, readCandlesCsv, type CsvLayout } from './csv-source.js';
