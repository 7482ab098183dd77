import * as z from 'zod';

import { hourAngle, logRange, relativeLogVolume } from '../features/extended.js';
import type { Candle } from '../market/candle.js';

/**
 * Which inputs the linear scale correction reads. All are scale-free (ratios to sigma_B1, logs of
 * relative volume, angles), so a correction fitted on one year means the same on another.
 */
export const ScaleInputsSpecSchema = z.strictObject({
  /** Harmonics of the forecast hour's angle (sin, cos of k · angle for k = 1..n); 0 leaves the hour out. */
  hour_harmonics: z.number().int().min(0).max(6),
  /** ln(volume / its 24-candle mean) of the last candle. */
  volume: z.boolean(),
  /** ln(high / low) of the last candle over sigma_B1. */
  range: z.boolean(),
  /** |last close-to-close log return| over sigma_B1. */
  abs_return: z.boolean(),
  /** sin and cos of the forecast hour's angle in the week (weekends trade quieter). */
  week: z.boolean(),
  /** ln(RMS of the window's returns / sigma_B1): volatility tends back toward its slower level. */
  slow_volatility: z.boolean(),
  /** ln(Parkinson volatility of the last 24 candles' high/low ranges / sigma_B1): ranges see intrahour moves. */
  range_volatility: z.boolean(),
});

export type ScaleInputsSpec = z.infer<typeof ScaleInputsSpecSchema>;

/**
 * The inputs that measured best on held-out data (docs/forecast.md, "Why these defaults"): the
 * position in the week did not help on the shared BTC year and is left out.
 */
export const DEFAULT_SCALE_INPUTS: ScaleInputsSpec = Object.freeze({
  hour_harmonics: 3,
  volume: true,
  range: true,
  abs_return: true,
  week: false,
  slow_volatility: true,
  range_volatility: true,
});

/** Ratios to sigma are capped here, so one bad print cannot dominate a fit. */
const MAX_RATIO = 20;
// The Unix epoch fell on a Thursday; the angle only needs to be the same every week.
const WEEK_MS = 7 * 86_400_000;
const PARKINSON_CANDLES = 24;

export function scaleInputNames(spec: ScaleInputsSpec): string[] {
  const names: string[] = [];
  for (let k = 1; k <= spec.hour_harmonics; k += 1) names.push(`hour_sin${k}`, `hour_cos${k}`);
  if (spec.volume) names.push('rel_log_volume');
  if (spec.range) names.push('range_over_sigma');
  if (spec.abs_return) names.push('abs_return_over_sigma');
  if (spec.week) names.push('week_sin', 'week_cos');
  if (spec.slow_volatility) names.push('log_slow_over_sigma');
  if (spec.range_volatility) names.push('log_parkinson_over_sigma');
  return names;
}

/**
 * The correction's inputs for the forecast made after candle `last` closed (it needs the candle
 * before it, and reads no candle after it): written into `out` from `offset`, in scaleInputNames order.
 */
export function writeScaleInputs(
  spec: ScaleInputsSpec,
  candles: readonly Candle[],
  last: number,
  sigmaB1: number,
  nextOpenTime: number,
  out: Float64Array,
  offset = 0,
  windowLength = 120,
): void {
  let k = offset;
  const angle = hourAngle(nextOpenTime);
  for (let h = 1; h <= spec.hour_harmonics; h += 1) {
    out[k++] = Math.sin(h * angle);
    out[k++] = Math.cos(h * angle);
  }
  const candle = candles[last]!;
  if (spec.volume) out[k++] = relativeLogVolume(candles, last);
  if (spec.range) out[k++] = Math.min(MAX_RATIO, logRange(candle) / sigmaB1);
  if (spec.abs_return) {
    const previous = candles[last - 1];
    const r =
      previous !== undefined && previous.close > 0 && candle.close > 0
        ? Math.log(candle.close / previous.close)
        : 0;
    out[k++] = Math.min(MAX_RATIO, Math.abs(r) / sigmaB1);
  }
  if (spec.week) {
    const angle = (2 * Math.PI * (((nextOpenTime % WEEK_MS) + WEEK_MS) % WEEK_MS)) / WEEK_MS;
    out[k++] = Math.sin(angle);
    out[k++] = Math.cos(angle);
  }
  if (spec.slow_volatility) {
    let sum = 0;
    let count = 0;
    for (let i = Math.max(1, last - windowLength + 2); i <= last; i += 1) {
      const r = Math.log(candles[i]!.close / candles[i - 1]!.close);
      if (Number.isFinite(r)) {
        sum += r * r;
        count += 1;
      }
    }
    const slow = count === 0 ? sigmaB1 : Math.sqrt(sum / count);
    out[k++] = Math.log(Math.max(slow, 1e-6) / sigmaB1);
  }
  if (spec.range_volatility) {
    let sum = 0;
    let count = 0;
    for (let i = Math.max(0, last - PARKINSON_CANDLES + 1); i <= last; i += 1) {
      sum += logRange(candles[i]!) ** 2;
      count += 1;
    }
    const parkinson = Math.sqrt(sum / count / (4 * Math.LN2));
    out[k++] = Math.log(Math.max(parkinson, 1e-6) / sigmaB1);
  }
}
