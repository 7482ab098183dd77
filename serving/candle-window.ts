import type { Pair } from '../core/market/pair.js';
import type { Candle } from '../core/market/candle.js';
import { CandleValidationError } from '../core/market/errors.js';
import { candleOpenTime } from '../core/market/timeframe.js';
import { validateCandles } from '../core/market/validate.js';
import type { CandleProvider } from './candle-cache.js';
import { MarketDataUnavailableError, MarketStaleError } from './errors.js';

export interface CandleWindowOptions {
  /** A CandleCache around the ccxt source, or the source itself. */
  readonly candles: CandleProvider;
  /** Candle width in ms. */
  readonly timeframeMs: number;
  /** How missing candles in a window are handled, as in training (config.market). */
  readonly gapPolicy: 'fail' | 'fill';
  readonly maxFillGap: number;
  readonly now: () => number;
}

/**
 * The last closed candles of a pair, as a model's window reads them: validated and gap-repaired as
 * training does, and refused when the exchange's newest candle is not the last closed one by this clock.
 */
export class CandleWindow {
  private readonly candles: CandleProvider;
  private readonly timeframeMs: number;
  private readonly gapPolicy: 'fail' | 'fill';
  private readonly maxFillGap: number;
  private readonly now: () => number;

  public constructor(options: CandleWindowOptions) {
    this.candles = options.candles;
    this.timeframeMs = options.timeframeMs;
    this.gapPolicy = options.gapPolicy;
    this.maxFillGap = options.maxFillGap;
    this.now = options.now;
  }

  /**
   * Starts fetching `length` candles without waiting: with a provider that shares one fetch between
   * callers (a CandleCache), the window then arrives while something else runs. Its failure is reported
   * to whoever asks for the window, not here.
   */
  public prefetch(pair: Pair, length: number): void {
    this.candles.fetchLast(pair, this.fetchCount(length)).catch(() => undefined);
  }

  /** The last `length` closed candles, validated and gap-repaired as training does. */
  public async last(pair: Pair, length: number): Promise<Candle[]> {
    const raw = await this.candles.fetchLast(pair, this.fetchCount(length));
    // Validation only sees the gaps between candles: a series that stops hours ago passes it, and
    // its "next candle" would already be in the past. A newer candle than expected is fine (this
    // clock is behind the exchange's).
    const expected = candleOpenTime(this.now(), this.timeframeMs) - this.timeframeMs;
    const newest = raw.reduce((max, candle) => Math.max(max, candle.openTime), Number.NEGATIVE_INFINITY);
    if (raw.length > 0 && newest < expected) throw new MarketStaleError(pair, newest, expected);
    let candles: Candle[];
    try {
      candles = validateCandles(raw, this.timeframeMs, {
        gapPolicy: this.gapPolicy,
        maxFillGap: this.maxFillGap,
        source: pair,
      }).candles;
    } catch (error) {
      if (error instanceof CandleValidationError) {
        throw new MarketDataUnavailableError(pair, length, raw.length, error.message, { cause: error });
      }
      throw error;
    }
    if (candles.length < length) {
      throw new MarketDataUnavailableError(pair, length, candles.length, 'the market has fewer candles');
    }
    return candles.slice(-length);
  }

  /** Candles asked for a window of `length`: a few more, so that a hole at its start can be repaired too. */
  private fetchCount(length: number): number {
    return length + (this.gapPolicy === 'fill' ? this.maxFillGap : 0);
  }
}
