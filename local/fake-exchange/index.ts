export { BINANCE_ERRORS, DEFAULT_MARKETS, type FakeMarket } from './binance-format.js';
export {
  DEMO_MARKET,
  DEMO_TAIL_NU,
  DemoMarketError,
  impliedStatistics,
  solveDemoMarket,
  type DemoMarketModel,
  type DemoMarketStatistics,
} from './demo-market.js';
export {
  CandleWalk,
  DEFAULT_HOURLY_VOLATILITY,
  deriveSeed,
  generateCandles,
  marketWalk,
  priceDecimals,
  type CandleExtras,
  type CandleWalkOptions,
  type GenerateCandlesOptions,
  type MarketWalkOptions,
} from './random-walk.js';
export {
  DEFAULT_LISTED_AT,
  startFakeExchange,
  type FakeExchange,
  type FakeExchangeOptions,
  type FakeFaults,
} from './server.js';
