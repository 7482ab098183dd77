import { z } from 'zod';

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
});

export type ScaleInputsSpec = z.infer<typeof ScaleInputsSpecSchema>;

export const ALL_SCALE_INPUTS: ScaleInputsSpec = Object.freeze({
  hour_harmonics: 3,
  volume: true,
  range: true,
  abs_return: true,
});

/** Ratios to sigma are capped here, so one bad print cannot dominate a fit. */
const MAX_RATIO = 20;

export function scaleInputNames(spec: ScaleInputsSpec): string[] {
  const names: string[] = [];
  for (let k = 1; k <= spec.hour_harmonics; k += 1) names.push(`hour_sin${k}`, `hour_cos${k}`);
  if (spec.volume) names.push('rel_log_volume');
  if (spec.range) names.push('range_over_sigma');
  if (spec.abs_return) names.push('abs_return_over_sigma');
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
}
