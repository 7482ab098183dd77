import { forecastQuantile, type ScaleCalibration } from '../distribution/calibration.js';
import type { FamilySpec } from '../distribution/family.js';
import { unitFamily } from '../distribution/predictive.js';
import { QUANTILE_LEVELS } from '../distribution/scores.js';
import { SERVED_QUANTILE_KEYS } from '../distribution/served-schema.js';
import type { Candle } from '../market/candle.js';
import type { HeldOutHour } from './heldout.js';

/**
 * Consecutive held-out windows: window k ends at candle `first + k` and forecasts the candle after it,
 * with the location `mu[k]` and the scale `sigma[k]` (before calibration) of the next log return. What
 * fitDistribution returns as its test windows, and what any other scale (the shared network) can give.
 */
export interface HeldOutWindows {
  readonly first: number;
  readonly mu: ArrayLike<number>;
  readonly sigma: ArrayLike<number>;
}

export class HeldOutInputError extends RangeError {
  public override readonly name = 'HeldOutInputError';
}

/**
 * Each held-out window's served quantiles and 95% interval of the next close, beside that close. The
 * numbers are serving's (serveDistribution): quantile_p = last close x exp(mu + sigma x z_p), z_p the
 * calibrated unit quantile of the family (forecastQuantile), so a held-out hour reads as /predict would
 * have answered it then.
 */
export function heldOutHours(
  candles: readonly Candle[],
  windows: HeldOutWindows,
  family: FamilySpec,
  calibration: ScaleCalibration | null,
): HeldOutHour[] {
  const { first, mu, sigma } = windows;
  const count = mu.length;
  if (sigma.length !== count) {
    throw new HeldOutInputError(`${mu.length} locations for ${sigma.length} scales`);
  }
  if (!(Number.isInteger(first) && first >= 0 && first + count < candles.length)) {
    throw new HeldOutInputError(
      `Windows ending at candles ${first}..${first + count - 1} need the candle after each; ${candles.length} candles given`,
    );
  }
  const unit = unitFamily(family);
  const standard = { mu: 0, sigma: 1 };
  const quantileZ = QUANTILE_LEVELS.map((p) => forecastQuantile(unit, standard, p, calibration));
  const i95Z = forecastQuantile(unit, standard, (1 + 0.95) / 2, calibration);
  const hours: HeldOutHour[] = [];
  for (let k = 0; k < count; k += 1) {
    const last = candles[first + k]!;
    const next = candles[first + k + 1]!;
    const price = (z: number): number => last.close * Math.exp(mu[k]! + sigma[k]! * z);
    hours.push({
      open_time: new Date(next.openTime).toISOString(),
      last_close: last.close,
      quantiles: Object.fromEntries(
        SERVED_QUANTILE_KEYS.map((key, i) => [key, price(quantileZ[i]!)]),
      ) as HeldOutHour['quantiles'],
      i95: { lower: price(-i95Z), upper: price(i95Z) },
      close: next.close,
    });
  }
  return hours;
}
