export { BINANCE_ERRORS, DEFAULT_MARKETS, type FakeMarket } from './binance-format.js';
export {
  CandleWalk,
  deriveSeed,
  generateCandles,
  priceDecimals,
  type CandleExtras,
  type CandleWalkOptions,
  type GenerateCandlesOptions,
} from './random-walk.js';
export {
  DEFAULT_LISTED_AT,
  startFakeExchange,
  type FakeExchange,
  type FakeExchangeOptions,
  type FakeFaults,
} from './server.js';
