import type { Candle } from '../core/market/candle.js';
import { candleOpenTime } from '../core/market/timeframe.js';

/**
 * Where prediction candles come from: CcxtCandleSource satisfies it (the real exchange, or the fake
 * one in tests), and so does CandleCache, which wraps one. Kept to this one method so that the
 * serving path can create the ccxt source lazily (importing ccxt costs about half a second).
 */
export interface CandleProvider {
  /** The last `count` closed candles of `pair`, oldest first (fewer if the exchange is missing some). */
  fetchLast(pair: string, count: number): Promise<readonly Candle[]>;
}

export interface CandleCacheOptions {
  readonly provider: CandleProvider;
  /** Candle width in ms (timeframeToMs of the configured interval). */
  readonly timeframeMs: number;
  /** Clock in ms deciding when the cached candles expire; injectable for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly candles: readonly Candle[];
  readonly count: number;
  readonly expiresAt: number;
}

/**
 * The last closed candles per pair, kept until the next candle closes: before then the exchange has
 * nothing new to say, so every prediction in that hour reuses one request. Concurrent requests for a
 * pair share one fetch; failures are not kept. A window whose newest candle is not the latest closed
 * one (the exchange is lagging) is not kept either, so the next request asks again instead of serving
 * a stale window for the rest of the hour.
 */
export class CandleCache implements CandleProvider {
  private readonly provider: CandleProvider;
  private readonly timeframeMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, { readonly count: number; readonly promise: Promise<Entry> }>();

  public constructor(options: CandleCacheOptions) {
    if (!Number.isInteger(options.timeframeMs) || options.timeframeMs <= 0) {
      throw new RangeError(`timeframeMs must be a positive integer, got ${options.timeframeMs}`);
    }
    this.provider = options.provider;
    this.timeframeMs = options.timeframeMs;
    this.now = options.now ?? Date.now;
  }

  public async fetchLast(pair: string, count: number): Promise<readonly Candle[]> {
    const cached = this.entries.get(pair);
    if (cached !== undefined && cached.count >= count && this.now() < cached.expiresAt) {
      return cached.candles.slice(-count);
    }
    const running = this.inFlight.get(pair);
    // A failure of the shared fetch is every waiter's failure: none of them retries on its own.
    const entry = await (running !== undefined && running.count >= count
      ? running.promise
      : this.fetch(pair, count));
    return entry.candles.slice(-count);
  }

  private fetch(pair: string, count: number): Promise<Entry> {
    const fetchedAt = this.now();
    const promise: Promise<Entry> = this.provider
      .fetchLast(pair, count)
      .then((candles) => {
        const period = candleOpenTime(fetchedAt, this.timeframeMs);
        const entry: Entry = { candles, count, expiresAt: period + this.timeframeMs };
        const newest = candles.at(-1)?.openTime;
        if (newest === period - this.timeframeMs) this.entries.set(pair, entry);
        return entry;
      })
      .finally(() => {
        if (this.inFlight.get(pair)?.promise === promise) this.inFlight.delete(pair);
      });
    this.inFlight.set(pair, { count, promise });
    return promise;
  }
}
