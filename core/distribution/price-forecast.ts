import { centralInterval, forecastQuantile, type ScaleCalibration } from './calibration.js';
import type { UnitFamily } from './family.js';
import { INTERVAL_LEVELS, QUANTILE_LEVELS } from './scores.js';

export interface PriceForecastInput {
  readonly family: UnitFamily;
  readonly calibration: ScaleCalibration | null;
  readonly lastClose: number;
  /** Location of the next log return (0 for the naive forecast; ln(mean price / last close) otherwise). */
  readonly mu: number;
  /** Standard deviation of the next log return, before calibration. */
  readonly sigma: number;
}

export interface PriceDistribution {
  readonly quantiles: readonly { readonly level: number; readonly price: number }[];
  readonly intervals: readonly { readonly level: number; readonly lower: number; readonly upper: number }[];
}

/**
 * The next close's distribution in price units: each log-return quantile q maps to lastClose x exp(q)
 * (a monotone map, so quantiles stay quantiles and intervals keep their coverage).
 */
export function priceDistribution(
  input: PriceForecastInput,
  quantileLevels: readonly number[] = QUANTILE_LEVELS,
  intervalLevels: readonly number[] = INTERVAL_LEVELS,
): PriceDistribution {
  const { family, calibration, lastClose } = input;
  const predictive = { mu: input.mu, sigma: input.sigma };
  return {
    quantiles: quantileLevels.map((level) => ({
      level,
      price: lastClose * Math.exp(forecastQuantile(family, predictive, level, calibration)),
    })),
    intervals: intervalLevels.map((level) => {
      const [lower, upper] = centralInterval(family, predictive, level, calibration);
      return { level, lower: lastClose * Math.exp(lower), upper: lastClose * Math.exp(upper) };
    }),
  };
}
