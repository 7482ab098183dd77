import type { Candle } from '../../core/market/candle.js';
import { priceDecimals } from './random-walk.js';
import type { CandleExtras } from './random-walk.js';

/** A spot market the fake exchange lists. */
export interface FakeMarket {
  /** Binance's id, for example BTCUSDT. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Where its price walk starts (and stays near). */
  readonly startPrice: number;
  /** Standard deviation of its hourly log returns; DEFAULT_HOURLY_VOLATILITY (BTC-like) when absent. */
  readonly hourlyVolatility?: number;
}

// Hourly volatility as measured on ../shared/data (docs/demo-market.md): BTC 0.82%, ETH 1.15%, the
// smaller coins (BNB, ADA, DOT, SOL) 1.23% to 1.83%.
export const DEFAULT_MARKETS: readonly FakeMarket[] = [
  { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', startPrice: 30_000, hourlyVolatility: 0.008 },
  { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', startPrice: 2_000, hourlyVolatility: 0.0115 },
  { symbol: 'CHZUSDT', base: 'CHZ', quote: 'USDT', startPrice: 0.1, hourlyVolatility: 0.015 },
];

/** Binance's answers to a client mistake: HTTP 400 with its own code. */
export const BINANCE_ERRORS = {
  invalidSymbol: { code: -1121, msg: 'Invalid symbol.' },
  invalidInterval: { code: -1120, msg: 'Invalid interval.' },
  startAfterEnd: { code: -1023, msg: 'Start time is greater than end time.' },
  tooManyRequests: {
    code: -1003,
    msg: 'Too many requests; current limit of IP is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.',
  },
  unknown: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
} as const;

export function mandatoryParameter(name: string): { code: number; msg: string } {
  return { code: -1102, msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.` };
}

export function invalidParameter(name: string): { code: number; msg: string } {
  return { code: -1130, msg: `Data sent for parameter '${name}' is not valid.` };
}

/**
 * GET /api/v3/exchangeInfo, trimmed to what ccxt's binance parseMarket reads
 * (symbol, status, assets, precisions, filters, permissions) plus the envelope.
 */
export function exchangeInfo(markets: readonly FakeMarket[], serverTime: number): unknown {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: markets.map((market) => {
      const tick = (1 / 10 ** priceDecimals(market.startPrice)).toFixed(8);
      return {
        symbol: market.symbol,
        status: 'TRADING',
        baseAsset: market.base,
        baseAssetPrecision: 8,
        quoteAsset: market.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true,
        ocoAllowed: true,
        otoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000.00000000', tickSize: tick },
          { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
          {
            filterType: 'NOTIONAL',
            minNotional: '5.00000000',
            applyMinToMarket: true,
            maxNotional: '9000000.00000000',
          },
        ],
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      };
    }),
  };
}

/**
 * One row of GET /api/v3/klines: open time, OHLCV as strings (Binance sends
 * decimals as strings to keep their precision), close time, quote volume, trades,
 * taker buy base and quote volume, and an unused field.
 */
export function klineRow(candle: Candle, extras: CandleExtras, timeframeMs: number): (number | string)[] {
  const quoteVolume = candle.volume * ((candle.open + candle.close) / 2);
  const takerBase = candle.volume * extras.takerBuyShare;
  return [
    candle.openTime,
    candle.open.toFixed(8),
    candle.high.toFixed(8),
    candle.low.toFixed(8),
    candle.close.toFixed(8),
    candle.volume.toFixed(8),
    candle.openTime + timeframeMs - 1,
    quoteVolume.toFixed(8),
    extras.trades,
    takerBase.toFixed(8),
    (quoteVolume * extras.takerBuyShare).toFixed(8),
    '0',
  ];
}
