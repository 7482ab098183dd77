import { mulberry32Advance, mulberry32Output } from '../../core/random/mulberry32.js';
import { HOUR_MS } from '../../core/market/candle.js';
import type { Candle } from '../../core/market/candle.js';
import { DEMO_MARKET, DEMO_TAIL_NU, solveDemoMarket } from './demo-market.js';
import type { DemoMarketModel, DemoMarketStatistics } from './demo-market.js';
import type { FakeMarket } from './binance-format.js';

export interface CandleWalkOptions {
  /** Seed of this pair's own draws. */
  readonly seed: number;
  /**
   * Seed of the draws every pair of one market shares (the volatility regime, the market shock, the tail
   * scale), taken per open time: walks with the same market seed and timeframe are correlated. Defaults
   * to `seed`.
   */
  readonly marketSeed?: number;
  /** Open time of the first candle, in ms. */
  readonly start: number;
  /** Open of the first candle; the walk is pulled gently back towards it. */
  readonly startPrice: number;
  readonly timeframeMs?: number;
  /** Decimals kept in prices; by default about 6 significant digits (BTC 2, ETH 3, CHZ 7). */
  readonly decimals?: number;
  /** Standard deviation of this pair's hourly log returns; scaled to the timeframe. */
  readonly hourlyVolatility?: number;
  /** The market's hourly statistics (demo-market.ts), over DEMO_MARKET's. */
  readonly statistics?: Partial<DemoMarketStatistics>;
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

// Hourly figures, scaled to other timeframes. BTC/USDT's hourly volatility was 0.82% over the shared year
// (docs/demo-market.md); the pull back to the start price is weak enough to look like a random walk over
// days but strong enough that years of history stay within a plausible band.
export const DEFAULT_HOURLY_VOLATILITY = 0.008;
const HOURLY_REVERSION = 0.002;
const HOURLY_NOTIONAL = 40_000_000;
// Volume: the notional per hour / price x the candle's volatility over the pair's (volume rises with
// volatility, so it tells of the next hour's) x (0.5 + |the candle's standardised move|)^VOLUME_MOVE (a big
// move trades more than a quiet hour of the same volatility) x lognormal noise of sd VOLUME_NOISE. Set so
// that ln(volume) correlates with ln(high / low) by about 0.68 and with |r| by about 0.56, inside the real
// pairs' 0.63 to 0.73 and 0.50 to 0.59 (docs/demo-market.md).
const VOLUME_MOVE = 0.25;
const VOLUME_NOISE = 0.3;
const DAY_HOURS = 24;

/** `count` candles of a seeded walk from `start`; the same options always give the same candles. */
export function generateCandles(options: GenerateCandlesOptions): Candle[] {
  const walk = new CandleWalk(options);
  return Array.from({ length: options.count }, (_, k) => walk.candle(k));
}

export interface MarketWalkOptions {
  /** The fake exchange's seed. */
  readonly seed: number;
  readonly market: FakeMarket;
  /** Binance's interval name (1h, 4h, ...), part of the seeds. */
  readonly interval: string;
  readonly timeframeMs: number;
  readonly start: number;
  readonly statistics?: Partial<DemoMarketStatistics>;
}

/**
 * The walk the fake exchange serves for one market and interval: the pair's own draws from the exchange
 * seed and `SYMBOL:interval`, the market's shared draws from the exchange seed and the interval, so the
 * pairs of one interval are correlated.
 */
export function marketWalk(options: MarketWalkOptions): CandleWalk {
  return new CandleWalk({
    seed: deriveSeed(options.seed, `${options.market.symbol}:${options.interval}`),
    marketSeed: deriveSeed(options.seed, `market:${options.interval}`),
    start: options.start,
    startPrice: options.market.startPrice,
    timeframeMs: options.timeframeMs,
    hourlyVolatility: options.market.hourlyVolatility,
    statistics: options.statistics,
  });
}

/**
 * One pair of the demo market (demo-market.ts): log returns with an hour-of-day profile, a calm or
 * turbulent volatility regime, Student-t tails and a shock shared with the market's other pairs; highs and
 * lows drawn as a Brownian bridge's with the candle's volatility, volume that rises with it. Computed lazily
 * and kept, so candle k is the same whichever candles were asked for before it.
 */
export class CandleWalk {
  public readonly start: number;
  public readonly timeframeMs: number;
  /** This pair's own draws, in sequence. */
  private readonly draws: Draws;
  private readonly marketSeed: number;
  private readonly model: DemoMarketModel;
  /** 10^decimals of prices and of volumes. */
  private readonly priceFactor: number;
  private readonly volumeFactor: number;
  private readonly mean: number;
  private readonly volatility: number;
  private readonly reversion: number;
  private readonly notional: number;
  private readonly hours: number;
  /** The hour profile's amplitude per unit of time, so that an hourly candle's is hourAmplitude. */
  private readonly intensityAmplitude: number;
  /** Probability that a candle draws the regime afresh: 1 − lambda^hours. */
  private readonly renewal: number;
  private readonly candles: Candle[] = [];
  private readonly extras: CandleExtras[] = [];
  private turbulent = false;

  public constructor(options: CandleWalkOptions) {
    if (!(options.startPrice > 0))
      throw new RangeError(`startPrice must be above 0, got ${options.startPrice}`);
    const hourlyVolatility = options.hourlyVolatility ?? DEFAULT_HOURLY_VOLATILITY;
    if (!(hourlyVolatility > 0 && hourlyVolatility < 0.2))
      throw new RangeError(`hourlyVolatility must be in (0, 0.2), got ${hourlyVolatility}`);
    this.start = options.start;
    this.timeframeMs = options.timeframeMs ?? HOUR_MS;
    this.draws = new Draws(options.seed);
    this.marketSeed = options.marketSeed ?? options.seed;
    this.model = solveDemoMarket({ ...DEMO_MARKET, ...options.statistics }, DEMO_TAIL_NU);
    const decimals = options.decimals ?? priceDecimals(options.startPrice);
    this.priceFactor = 10 ** decimals;
    this.volumeFactor = 10 ** Math.max(0, 8 - decimals);
    this.mean = Math.log(options.startPrice);
    this.hours = this.timeframeMs / HOUR_MS;
    this.volatility = hourlyVolatility * Math.sqrt(this.hours);
    this.reversion = Math.min(1, HOURLY_REVERSION * this.hours);
    this.notional = HOURLY_NOTIONAL * this.hours;
    const halfHour = Math.PI / DAY_HOURS;
    this.intensityAmplitude = (this.model.hourAmplitude * halfHour) / Math.sin(halfHour);
    this.renewal = 1 - this.model.regimePersistence ** this.hours;
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
    const openTime = this.start + k * this.timeframeMs;
    const model = this.model;
    // What every pair with this market seed draws for this open time, in this order.
    const market = new Draws(slotSeed(this.marketSeed, Math.floor(openTime / this.timeframeMs)));
    const renew = market.uniform() < this.renewal;
    const turbulent = market.uniform() < model.turbulentShare;
    const marketShock = market.normal();
    // W = (nu - 2) / chi²_nu, chi²_nu = 2·Gamma(nu / 2): E W = 1, and sqrt(W)·N is a unit-variance t.
    const tailScale = (model.nu - 2) / (2 * market.gamma(model.nu / 2));
    // The first candle takes the regime's stationary draw; later ones keep theirs unless renewed.
    if (k === 0 || renew) this.turbulent = turbulent;

    const regime = this.turbulent ? model.turbulentVariance : model.calmVariance;
    const sigma = this.volatility * Math.sqrt(this.hourFactor(openTime) * regime * tailScale);
    const rho = model.marketLoading;
    const shock = Math.sqrt(rho) * marketShock + Math.sqrt(1 - rho) * this.draws.normal();

    const previous = this.candles[k - 1];
    const open = previous === undefined ? this.round(Math.exp(this.mean)) : previous.close;
    const x = Math.log(open);
    const move = this.reversion * (this.mean - x) + sigma * shock;
    const close = this.round(Math.exp(x + move));
    // Highs and lows of a Brownian bridge from 0 to `move` with the candle's volatility: P(max > m) =
    // exp(-2m(m - move) / sigma²). Rounding is monotonic, so high >= max(open, close) and
    // low <= min(open, close) survive it.
    const up = (move + Math.sqrt(move * move - 2 * sigma * sigma * Math.log(1 - this.draws.uniform()))) / 2;
    const down = (move - Math.sqrt(move * move - 2 * sigma * sigma * Math.log(1 - this.draws.uniform()))) / 2;
    const high = this.round(open * Math.exp(up));
    const low = this.round(open * Math.exp(down));
    const typical = (open + close) / 2;
    const activity = (sigma / this.volatility) * (0.5 + Math.abs(shock)) ** VOLUME_MOVE;
    const noise = Math.exp(VOLUME_NOISE * this.draws.normal());
    const volume = roundTo((this.notional / typical) * activity * noise, this.volumeFactor);
    this.candles.push({ openTime, open, high, low, close, volume });
    this.extras.push({
      trades: Math.max(1, Math.round((volume * typical) / 1_500)),
      takerBuyShare: 0.35 + 0.3 * this.draws.uniform(),
    });
  }

  /**
   * The hour profile's mean over the candle, 1 + A·cos(2π(t − peak)/24) integrated over [open, open +
   * timeframe) in hours of the UTC day, with the peak in the middle of the busiest hour: an hourly candle
   * gets 1 + hourAmplitude·cos(2π(hour − busiestHour)/24), a daily one 1.
   */
  private hourFactor(openTime: number): number {
    const omega = (2 * Math.PI) / DAY_HOURS;
    const from = ((openTime / HOUR_MS) % DAY_HOURS) - (this.model.statistics.busiestHour + 0.5);
    const to = from + this.hours;
    return (
      1 + (this.intensityAmplitude * (Math.sin(omega * to) - Math.sin(omega * from))) / (omega * this.hours)
    );
  }

  private round(price: number): number {
    return roundTo(price, this.priceFactor);
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

/** A seed for the draws of one slot (open time / timeframe): murmur3's finaliser over seed and slot. */
function slotSeed(seed: number, slot: number): number {
  const mix = (h: number): number => {
    let x = h >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  };
  const low = slot >>> 0;
  const high = Math.floor(slot / 2 ** 32) >>> 0;
  return mix(mix(seed ^ Math.imul(low, 0x9e3779b1)) ^ Math.imul(high + 1, 0x7feb352d));
}

/**
 * mulberry32 (core/random) as an object rather than a closure, whose draws start afresh at every open time
 * for the market's. With a closure per candle, a gamma by rejection and rounding by toFixed, the first
 * request for a 1h series since 2020 (61,000 candles) took 500 ms of a test's event loop; now about 200, as
 * the Gaussian walk did.
 */
class Draws {
  public constructor(private state: number) {}

  public uniform(): number {
    this.state = mulberry32Advance(this.state);
    return mulberry32Output(this.state);
  }

  /** Box-Muller; 1 - u keeps the logarithm away from 0. */
  public normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * A Gamma(shape, 1) draw for shape >= 1: for a whole shape, minus the log of a product of that many
   * uniforms (a sum of exponentials); otherwise Marsaglia and Tsang's (2000) method.
   */
  public gamma(shape: number): number {
    if (Number.isInteger(shape)) {
      let product = 1;
      for (let i = 0; i < shape; i++) product *= 1 - this.uniform();
      return -Math.log(product);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}

/** value rounded to 1 / factor (factor = 10^decimals): the nearest double to a number with those decimals. */
function roundTo(value: number, factor: number): number {
  return Math.round(value * factor) / factor;
}
