import { centralInterval, type ScaleCalibration, type UnitFamily } from '../../../core/distribution/index.js';

/**
 * Central-interval levels of the calibration plot: a sweep from narrow to wide, ending on the served
 * 80%, 90% and 95%, so the plot's points at those levels are the report's coverage_pct.
 */
export const COVERAGE_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95] as const;

/** Forecasts of the next log return, one per window, and what happened. */
export interface IntervalForecasts {
  readonly family: UnitFamily;
  readonly mu: ArrayLike<number>;
  /** Before calibration; `calibration` (when given) widens each level as serving does. */
  readonly sigma: ArrayLike<number>;
  readonly outcomes: ArrayLike<number>;
  readonly calibration: ScaleCalibration | null;
}

/**
 * Percent of outcomes inside the central interval at `level`, built by centralInterval (the function
 * serving builds its intervals with), so the plot judges the intervals a client is given.
 */
export function coveragePercent(set: IntervalForecasts, level: number): number {
  const n = set.outcomes.length;
  if (n === 0 || set.mu.length !== n || set.sigma.length !== n) {
    throw new RangeError(
      `coveragePercent: ${set.mu.length} locations, ${set.sigma.length} scales, ${n} outcomes`,
    );
  }
  let inside = 0;
  for (let k = 0; k < n; k += 1) {
    const predictive = { mu: set.mu[k]!, sigma: set.sigma[k]! };
    const [lower, upper] = centralInterval(set.family, predictive, level, set.calibration);
    const y = set.outcomes[k]!;
    if (y >= lower && y <= upper) inside += 1;
  }
  return (100 * inside) / n;
}
