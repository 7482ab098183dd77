import { mulberry32 } from '../../core/random/mulberry32.js';
import { HOUR_MS } from '../../core/market/candle.js';
import type { Candle } from '../../core/market/candle.js';

export interface CandleWalkOptions {
  readonly seed: number;
  /** Open time of the first candle, in ms. */
  readonly start: number;
  /** Open of the first candle; the walk is pulled gently back towards it. */
  readonly startPrice: number;
  readonly timeframeMs?: number;
  /** Decimals kept in prices; by default about 6 significant digits (BTC 2, ETH 3, CHZ 7). */
  readonly decimals?: number;
}

export interface GenerateCandlesOptions extends CandleWalkOptions {
  readonly count: number;
}

/** What a Binance kline carries besides OHLCV. */
export interface CandleExtras {
  readonly trades: number;
  /** Share of the volume bought by takers, in [0.35, 0.65]. */
  readonly takerBuyShare: number;
}

// Hourly figures, scaled to other timeframes: about BTC's realised volatility, a pull
// back to the start price weak enough to look like a random walk over days but strong
// enough that years of history stay within a plausible band (about +-20%).
const HOURLY_VOLATILITY = 0.006;
const HOURLY_REVERSION = 0.002;
const HOURLY_NOTIONAL = 40_000_000;

/** `count` candles of a seeded walk from `start`; the same options always give the same candles. */
export function generateCandles(options: GenerateCandlesOptions): Candle[] {
  const walk = new CandleWalk(options);
  return Array.from({ length: options.count }, (_, k) => walk.candle(k));
}

/**
 * A geometric random walk (log price with a weak mean reversion) with plausible
 * wicks and volume, computed lazily and kept, so candle k is the same whichever
 * candles were asked for before it.
 */
export class CandleWalk {
  public readonly start: number;
  public readonly timeframeMs: number;
  private readonly random: () => number;
  private readonly decimals: number;
  private readonly volumeDecimals: number;
  private readonly mean: number;
  private readonly volatility: number;
  private readonly reversion: number;
  private readonly notional: number;
  private readonly candles: Candle[] = [];
  private readonly extras: CandleExtras[] = [];

  public constructor(options: CandleWalkOptions) {
    if (!(options.startPrice > 0))
      throw new RangeError(`startPrice must be above 0, got ${options.startPrice}`);
    this.start = options.start;
    this.timeframeMs = options.timeframeMs ?? HOUR_MS;
    this.random = mulberry32(options.seed);
    this.decimals = options.decimals ?? priceDecimals(options.startPrice);
    this.volumeDecimals = Math.max(0, 8 - this.decimals);
    this.mean = Math.log(options.startPrice);
    const hours = this.timeframeMs / HOUR_MS;
    this.volatility = HOURLY_VOLATILITY * Math.sqrt(hours);
    this.reversion = Math.min(1, HOURLY_REVERSION * hours);
    this.notional = HOURLY_NOTIONAL * hours;
  }

  public candle(k: number): Candle {
    this.extendTo(k);
    return this.candles[k] as Candle;
  }

  public extra(k: number): CandleExtras {
    this.extendTo(k);
    return this.extras[k] as CandleExtras;
  }

  private extendTo(k: number): void {
    if (!Number.isInteger(k) || k < 0)
      throw new RangeError(`candle index must be a whole number >= 0, got ${k}`);
    while (this.candles.length <= k) this.step();
  }

  private step(): void {
    const k = this.candles.length;
    const previous = this.candles[k - 1];
    const open = previous === undefined ? this.round(Math.exp(this.mean)) : previous.close;
    const x = Math.log(open);
    const next = x + this.reversion * (this.mean - x) + this.volatility * this.normal();
    const close = this.round(Math.exp(next));
    // Rounding is monotonic, so high >= max(open, close) and low <= min(open, close) survive it.
    const high = this.round(Math.max(open, close) * (1 + Math.abs(this.normal()) * this.volatility * 0.5));
    const low = this.round(Math.min(open, close) * (1 - Math.abs(this.normal()) * this.volatility * 0.5));
    const typical = (open + close) / 2;
    const volume = round((this.notional / typical) * Math.exp(0.4 * this.normal()), this.volumeDecimals);
    this.candles.push({ openTime: this.start + k * this.timeframeMs, open, high, low, close, volume });
    this.extras.push({
      trades: Math.max(1, Math.round((volume * typical) / 1_500)),
      takerBuyShare: 0.35 + 0.3 * this.random(),
    });
  }

  private normal(): number {
    // Box-Muller; 1 - u keeps the logarithm away from 0.
    const u = 1 - this.random();
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private round(price: number): number {
    return round(price, this.decimals);
  }
}

/** Mixes a seed with a label (a symbol and interval) into an independent seed. */
export function deriveSeed(seed: number, label: string): number {
  let hash = (2166136261 ^ seed) >>> 0;
  for (const char of label) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

/** About 6 significant digits, as exchanges quote: BTC at 30000 gets 2 decimals, CHZ at 0.1 gets 7. */
export function priceDecimals(price: number): number {
  return Math.min(8, Math.max(2, 6 - Math.floor(Math.log10(price))));
}

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}
