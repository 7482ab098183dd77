import { AsyncLocalStorage } from 'node:async_hooks';

import type { Exchange, OHLCV } from 'ccxt';
import pRetry from 'p-retry';

import type { ExchangeConfig } from '../../core/config/schema.js';
import type { Candle } from '../../core/market/candle.js';
import { MarketDataError } from '../../core/market/errors.js';
import { ExchangeError } from './errors.js';
import { loadCcxt, loadExchangeClass, type CcxtModule } from './exchange-classes.js';
import { httpFetch } from './http-fetch.js';
import { candleOpenTime, timeframeToMs } from '../../core/market/timeframe.js';

// Options merged into an exchange's own, by ccxt id. Binance's loadMarkets would
// otherwise also read the futures (fapi, dapi) and margin catalogues: three more
// large requests, refused in some regions, for markets the pipeline never uses
// (pairs are spot BASE/QUOTE). Measured: with these it calls only /api/v3/exchangeInfo.
const EXCHANGE_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = {
  binance: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
};

/**
 * Requests (of ccxt cost 1) a new exchange object may make at once before its rate limiter spaces them.
 * ccxt's default bucket starts empty with room for one, so a new process waits for the limiter on
 * its second request: on a cold start that was loadMarkets then the candles, about 470 ms of
 * self-imposed waiting (measured against the fake exchange: 490 ms with the limiter's default, 22 ms
 * without). A serving instance makes a handful of requests an hour (the candle cache); training pages
 * through history and is spaced as before once the burst is spent, at the exchange's own rate.
 */
export const RATE_LIMIT_BURST = 8;

// Used when ccxt does not state an exchange's candles-per-request limit: small enough
// for any exchange; pagination copes with pages shorter than asked.
const FALLBACK_PAGE_LIMIT = 100;
const DAY_MS = 86_400_000;

/**
 * A ccxt exchange for any ccxt id (in a Lambda function, one its bundle carries), with the rate
 * limiter on and the configured timeout. With `config.url`, every REST endpoint is moved to that base
 * URL (the path of each is kept: Binance's public API becomes `${url}/api/v3`), so the fake exchange or
 * a proxy stands in for the real one.
 */
export async function createExchange(config: ExchangeConfig): Promise<Exchange> {
  const ExchangeClass = await loadExchangeClass(config.id);
  const exchange = new ExchangeClass({
    enableRateLimit: true,
    // Merged over ccxt's default bucket (its refill rate, 1 / rateLimit, is kept).
    tokenBucket: { capacity: RATE_LIMIT_BURST, tokens: RATE_LIMIT_BURST },
    timeout: config.timeout_ms,
    options: { ...EXCHANGE_OPTIONS[config.id] },
  });
  // node:http instead of Node's global fetch (undici): see http-fetch.ts for the measured cost.
  exchange.fetchImplementation = httpFetch;
  if (config.url !== null) {
    const base = config.url.replace(/\/+$/, '');
    exchange.urls['api'] = rebase(exchange.urls['api'], base) as Exchange['urls']['api'];
  }
  return exchange;
}

export interface FetchProgress {
  /** Closed candles received so far. */
  readonly fetched: number;
  /** Candles the range holds if none is missing. */
  readonly expected: number;
}

export interface FetchOptions {
  /** Called after each page, for long downloads. */
  readonly onProgress?: (progress: FetchProgress) => void;
}

export interface RetryNotice {
  readonly pair: string | null;
  readonly action: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly retriesLeft: number;
  readonly error: Error;
}

export interface CcxtCandleSourceOptions {
  /** Candle width, a ccxt timeframe; 1h unless told. */
  readonly timeframe?: string;
  /** Clock deciding which candles are closed; injectable for tests. */
  readonly now?: () => number;
  /** A ready ccxt exchange to use instead of createExchange(config). */
  readonly exchange?: Exchange;
  /** Longest Retry-After honoured; a longer one (an IP ban) ends the retries at once. */
  readonly maxRetryAfterMs?: number;
  /** Told about each failed attempt that will be retried, for logs. */
  readonly onRetry?: (notice: RetryNotice) => void;
}

interface ResponseInfo {
  status?: number;
  retryAfterMs?: number;
}

// What the last HTTP response of the current attempt said. ccxt's errors do not carry
// the HTTP status, and its classes alone mislead: Binance's 500 body {"code":-1000}
// becomes OperationFailed (not a NetworkError), while a 404 becomes
// ExchangeNotAvailable (a NetworkError). Async-local so concurrent fetches on one
// exchange do not see each other's responses.
const currentResponse = new AsyncLocalStorage<ResponseInfo>();
const watched = new WeakSet<Exchange>();
const attemptInfo = new WeakMap<object, ResponseInfo>();

/**
 * Closed candles of one exchange through ccxt: paginated past the exchange's
 * per-request limit, retried with exponential backoff on network errors, HTTP 429
 * and 5xx, sorted and without duplicates. Failures are ExchangeErrors.
 */
export class CcxtCandleSource {
  public readonly exchangeId: string;
  public readonly timeframe: string;
  public readonly timeframeMs: number;
  private readonly config: ExchangeConfig;
  private readonly now: () => number;
  private readonly maxRetryAfterMs: number;
  private readonly onRetry: ((notice: RetryNotice) => void) | undefined;
  private readonly givenExchange: Exchange | undefined;
  private exchange: Promise<Exchange> | undefined;
  /** ccxt's NetworkError, once connect() loaded ccxt: how a failure says it is worth retrying. */
  private networkError: CcxtModule['NetworkError'] | undefined;

  public constructor(config: ExchangeConfig, options: CcxtCandleSourceOptions = {}) {
    this.config = config;
    this.givenExchange = options.exchange;
    this.exchangeId = options.exchange?.id ?? config.id;
    this.timeframe = options.timeframe ?? '1h';
    this.timeframeMs = timeframeToMs(this.timeframe);
    this.now = options.now ?? Date.now;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.onRetry = options.onRetry;
  }

  /** The last `count` closed candles (fewer if the exchange is missing some). */
  public async fetchLast(pair: string, count: number, options: FetchOptions = {}): Promise<Candle[]> {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`count must be a whole number >= 0, got ${count}`);
    }
    const end = candleOpenTime(this.now(), this.timeframeMs);
    return this.fetchRange(pair, end - count * this.timeframeMs, end, options);
  }

  /** The closed candles of the last `days` days. */
  public async fetchDays(pair: string, days: number, options: FetchOptions = {}): Promise<Candle[]> {
    if (!(days > 0)) throw new RangeError(`days must be above 0, got ${days}`);
    return this.fetchLast(pair, Math.round((days * DAY_MS) / this.timeframeMs), options);
  }

  /** Closed candles opened in [startMs, endMs). */
  public async fetchRange(
    pair: string,
    startMs: number,
    endMs: number,
    options: FetchOptions = {},
  ): Promise<Candle[]> {
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
      throw new RangeError(`startMs and endMs must be finite, got ${startMs} and ${endMs}`);
    }
    const tf = this.timeframeMs;
    const now = this.now();
    // Candles opened from here on are still in progress (or in the future).
    const end = Math.min(endMs, candleOpenTime(now, tf));
    const { exchange, limit } = await this.prepare(pair);
    const expected = Math.max(0, Math.ceil((end - startMs) / tf));
    const byTime = new Map<number, Candle>();

    let since = startMs;
    while (since < end) {
      const pageSize = Math.min(limit, Math.ceil((end - since) / tf));
      const from = since;
      const page = await this.call(pair, `fetch ${this.timeframe} candles from ${iso(from)}`, () =>
        exchange.fetchOHLCV(pair, this.timeframe, from, pageSize),
      );
      let latest = Number.NEGATIVE_INFINITY;
      for (const row of page) {
        const candle = toCandle(row);
        latest = Math.max(latest, candle.openTime);
        if (candle.openTime >= from && candle.openTime < end && candle.openTime + tf <= now) {
          byTime.set(candle.openTime, candle);
        }
      }
      options.onProgress?.({ fetched: byTime.size, expected });
      // An empty page may only mean a hole as wide as the page on exchanges that
      // answer a time window rather than the next candles, so skip the window.
      since = latest >= from ? latest + tf : from + pageSize * tf;
    }
    return [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
  }

  /**
   * The exchange, its markets loaded, and the candles-per-request limit, once the pair and timeframe
   * are checked.
   */
  private async prepare(pair: string): Promise<{ exchange: Exchange; limit: number }> {
    const exchange = await this.connect();
    if (exchange.markets === undefined) {
      // ccxt keeps a failed loadMarkets promise and hands it back to later calls;
      // reload=true makes each attempt a new request.
      await this.call(pair, 'load the markets', () => exchange.loadMarkets(true));
    }
    const limit = await this.call(pair, 'find the market', async () => {
      // 'emulated' (built from trades by ccxt) is fine too.
      if (exchange.has['fetchOHLCV'] === false || exchange.has['fetchOHLCV'] === undefined) {
        throw new MarketDataError(`${this.exchangeId} has no candles (ccxt fetchOHLCV) API`);
      }
      const timeframes = Object.keys(exchange.timeframes ?? {});
      if (timeframes.length > 0 && !timeframes.includes(this.timeframe)) {
        throw new MarketDataError(
          `timeframe ${this.timeframe} is not offered (offered: ${timeframes.join(', ')})`,
        );
      }
      const market = exchange.market(pair);
      return pageLimit(exchange, market.type, market.linear, market.inverse);
    });
    return { exchange, limit };
  }

  /**
   * The ccxt exchange, created on first use: its module loads then, not when the source is made (a
   * function that never fetches candles never loads it). An unknown id fails every fetch the same way.
   */
  private connect(): Promise<Exchange> {
    this.exchange ??= Promise.all([
      this.givenExchange === undefined ? createExchange(this.config) : Promise.resolve(this.givenExchange),
      loadCcxt(),
    ]).then(([exchange, ccxt]) => {
      this.networkError = ccxt.NetworkError;
      watchResponses(exchange);
      return exchange;
    });
    return this.exchange;
  }

  private async call<T>(pair: string | null, action: string, run: () => Promise<T>): Promise<T> {
    let attempts = 0;
    const transient = (error: Error): boolean =>
      isTransient(error, attemptInfo.get(error), this.networkError);
    try {
      return await pRetry(
        async (attempt) => {
          attempts = attempt;
          const info: ResponseInfo = {};
          try {
            return await currentResponse.run(info, run);
          } catch (error) {
            if (typeof error === 'object' && error !== null) attemptInfo.set(error, info);
            throw error;
          }
        },
        {
          retries: this.config.max_retries,
          minTimeout: this.config.retry_base_ms,
          factor: 2,
          shouldRetry: ({ error }) => {
            const retryAfter = attemptInfo.get(error)?.retryAfterMs ?? 0;
            return transient(error) && retryAfter <= this.maxRetryAfterMs;
          },
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft <= 0 || !transient(error)) return;
            const retryAfter = attemptInfo.get(error)?.retryAfterMs ?? 0;
            if (retryAfter > this.maxRetryAfterMs) return;
            this.onRetry?.({ pair, action, attempt: attemptNumber, retriesLeft, error });
            // The exchange's own Retry-After comes on top of the backoff: Binance bans
            // IPs (HTTP 418) that keep calling before it.
            if (retryAfter > 0) await new Promise((resolve) => setTimeout(resolve, retryAfter));
          },
        },
      );
    } catch (error) {
      if (error instanceof ExchangeError) throw error;
      const isError = error instanceof Error;
      const httpStatus = isError ? attemptInfo.get(error)?.status : undefined;
      throw new ExchangeError(
        {
          exchangeId: this.exchangeId,
          pair,
          action,
          transient: isError && transient(error),
          attempts,
          ...(httpStatus === undefined ? {} : { httpStatus }),
        },
        { cause: error },
      );
    }
  }
}

function isTransient(
  error: Error,
  info: ResponseInfo | undefined,
  networkError: CcxtModule['NetworkError'] | undefined,
): boolean {
  const status = info?.status;
  if (status !== undefined && status >= 400) {
    return status === 408 || status === 418 || status === 429 || status >= 500;
  }
  return networkError !== undefined && error instanceof networkError;
}

function watchResponses(exchange: Exchange): void {
  if (watched.has(exchange)) return;
  watched.add(exchange);
  const original = exchange.onRestResponse.bind(exchange);
  exchange.onRestResponse = (...args: Parameters<Exchange['onRestResponse']>) => {
    const info = currentResponse.getStore();
    if (info !== undefined) {
      const status: unknown = args[0];
      const headers: unknown = args[4];
      if (typeof status === 'number') info.status = status;
      info.retryAfterMs = retryAfterMs(headers);
    }
    return original(...args);
  };
}

function retryAfterMs(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  const value: unknown = entry?.[1];
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function pageLimit(exchange: Exchange, type: unknown, linear: unknown, inverse: unknown): number {
  const byType = typeof type === 'string' ? exchange.features?.[type] : undefined;
  const subType = linear === true ? 'linear' : inverse === true ? 'inverse' : undefined;
  const features: unknown =
    subType !== undefined && byType?.[subType] !== undefined ? byType[subType] : byType;
  const limit = (features as { fetchOHLCV?: { limit?: unknown } } | undefined)?.fetchOHLCV?.limit;
  return typeof limit === 'number' && Number.isInteger(limit) && limit > 0 ? limit : FALLBACK_PAGE_LIMIT;
}

function toCandle(row: OHLCV): Candle {
  // Missing values become NaN so that validation names them instead of a zero slipping through.
  const value = (index: number): number => Number(row[index] ?? Number.NaN);
  return {
    openTime: value(0),
    open: value(1),
    high: value(2),
    low: value(3),
    close: value(4),
    volume: value(5),
  };
}

function rebase(api: unknown, base: string): unknown {
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/i, base);
  if (typeof api === 'object' && api !== null) {
    return Object.fromEntries(Object.entries(api).map(([key, value]) => [key, rebase(value, base)]));
  }
  return api;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
