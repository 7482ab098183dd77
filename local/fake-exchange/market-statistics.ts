import { HOUR_MS } from '../../core/market/candle.js';
import type { Candle } from '../../core/market/candle.js';

/**
 * The figures that say whether a market has the structure the distribution forecast feeds on,
 * measured the same way on real files (stats-cli.ts) and on the demo market (its test).
 * Returns are close-to-close log returns of consecutive candles; a gap breaks the pairs across it.
 */
export interface MarketStatistics {
  /** Returns measured. */
  readonly returns: number;
  /** Standard deviation of the log returns. */
  readonly volatility: number;
  /** Autocorrelation of |r| at lags 1 and 24 candles. */
  readonly absAcf1: number;
  readonly absAcf24: number;
  /** Autocorrelation of r^2 at lags 1 and 24 candles. */
  readonly squaredAcf1: number;
  readonly squaredAcf24: number;
  /** Kurtosis (not excess: 3 for a Gaussian) of the returns. */
  readonly kurtosis: number;
  /** RMS return of the busiest UTC hour over the quietest one's (candles of an hour or less). */
  readonly hourRatio: number;
  readonly busiestHour: number;
  readonly quietestHour: number;
  /** Pearson correlation of ln(volume) with ln(high / low), over candles with both positive. */
  readonly volumeRangeCorrelation: number;
  /** Pearson correlation of ln(volume) with |r|. */
  readonly volumeAbsReturnCorrelation: number;
}

/** Log returns by slot (open time / timeframe from the first candle); NaN where a candle or its predecessor is missing. */
export function logReturnsBySlot(
  candles: readonly Candle[],
  timeframeMs: number = HOUR_MS,
): { readonly first: number; readonly returns: Float64Array } {
  const first = candles[0]?.openTime ?? 0;
  const last = candles.at(-1)?.openTime ?? first;
  const returns = new Float64Array(Math.round((last - first) / timeframeMs) + 1).fill(Number.NaN);
  for (let i = 1; i < candles.length; i++) {
    const candle = candles[i] as Candle;
    const previous = candles[i - 1] as Candle;
    if (candle.openTime - previous.openTime !== timeframeMs) continue;
    returns[Math.round((candle.openTime - first) / timeframeMs)] = Math.log(candle.close / previous.close);
  }
  return { first, returns };
}

export function marketStatistics(
  candles: readonly Candle[],
  timeframeMs: number = HOUR_MS,
): MarketStatistics {
  const { first, returns } = logReturnsBySlot(candles, timeframeMs);
  const valid = [...returns].filter((r) => !Number.isNaN(r));
  const mean = average(valid);
  const centred = returns.map((r) => r - mean);
  const variance = average(valid.map((r) => (r - mean) ** 2));
  const fourth = average(valid.map((r) => (r - mean) ** 4));

  const abs = centred.map(Math.abs);
  const squared = centred.map((r) => r * r);

  const byHour = Array.from({ length: 24 }, () => ({ sum: 0, count: 0 }));
  returns.forEach((r, slot) => {
    if (Number.isNaN(r)) return;
    const hour = new Date(first + slot * timeframeMs).getUTCHours();
    const bucket = byHour[hour] as { sum: number; count: number };
    bucket.sum += r * r;
    bucket.count += 1;
  });
  const rms = byHour.map(({ sum, count }) => (count === 0 ? Number.NaN : Math.sqrt(sum / count)));
  const present = rms.filter((value) => !Number.isNaN(value));
  const busiest = Math.max(...present);
  const quietest = Math.min(...present);

  const logVolume: number[] = [];
  const logRange: number[] = [];
  const absReturn: number[] = [];
  const logVolumeForReturn: number[] = [];
  for (const candle of candles) {
    const slot = Math.round((candle.openTime - first) / timeframeMs);
    const r = returns[slot] ?? Number.NaN;
    if (!(candle.volume > 0)) continue;
    if (candle.high > candle.low && candle.low > 0) {
      logVolume.push(Math.log(candle.volume));
      logRange.push(Math.log(candle.high / candle.low));
    }
    if (!Number.isNaN(r)) {
      logVolumeForReturn.push(Math.log(candle.volume));
      absReturn.push(Math.abs(r));
    }
  }

  return {
    returns: valid.length,
    volatility: Math.sqrt(variance),
    absAcf1: autocorrelation(abs, 1),
    absAcf24: autocorrelation(abs, 24),
    squaredAcf1: autocorrelation(squared, 1),
    squaredAcf24: autocorrelation(squared, 24),
    kurtosis: fourth / (variance * variance),
    hourRatio: busiest / quietest,
    busiestHour: rms.indexOf(busiest),
    quietestHour: rms.indexOf(quietest),
    volumeRangeCorrelation: correlation(logVolume, logRange),
    volumeAbsReturnCorrelation: correlation(logVolumeForReturn, absReturn),
  };
}

/** Pearson correlation of two markets' log returns over the slots (open times) where both have one. */
export function returnCorrelation(
  a: readonly Candle[],
  b: readonly Candle[],
  timeframeMs: number = HOUR_MS,
): { readonly correlation: number; readonly returns: number } {
  const ra = logReturnsBySlot(a, timeframeMs);
  const rb = logReturnsBySlot(b, timeframeMs);
  const x: number[] = [];
  const y: number[] = [];
  ra.returns.forEach((r, slot) => {
    const other = rb.returns[Math.round((ra.first - rb.first) / timeframeMs) + slot];
    if (Number.isNaN(r) || other === undefined || Number.isNaN(other)) return;
    x.push(r);
    y.push(other);
  });
  return { correlation: correlation(x, y), returns: x.length };
}

/** Kurtosis (3 for a Gaussian) of `values`, left out the `largest` of them by absolute value. */
export function kurtosisWithout(values: readonly number[], largest = 0): number {
  const kept = [...values].sort((a, b) => Math.abs(a) - Math.abs(b)).slice(0, values.length - largest);
  const mean = average(kept);
  const variance = average(kept.map((value) => (value - mean) ** 2));
  return average(kept.map((value) => (value - mean) ** 4)) / (variance * variance);
}

/** Sample autocorrelation at `lag` of a series with NaN holes: pairs with a hole are skipped. */
export function autocorrelation(series: ArrayLike<number>, lag: number): number {
  const values = Array.from(series).filter((value) => !Number.isNaN(value));
  const mean = average(values);
  const variance = average(values.map((value) => (value - mean) ** 2));
  let sum = 0;
  let count = 0;
  for (let t = lag; t < series.length; t++) {
    const now = series[t] as number;
    const then = series[t - lag] as number;
    if (Number.isNaN(now) || Number.isNaN(then)) continue;
    sum += (now - mean) * (then - mean);
    count += 1;
  }
  return sum / count / variance;
}

export function correlation(x: readonly number[], y: readonly number[]): number {
  const mx = average(x);
  const my = average(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function average(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}
