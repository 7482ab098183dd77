import { levelMultiplier, type ScaleCalibration } from './calibration.js';
import type { UnitFamily } from './family.js';
import {
  BASIS_POINTS,
  INTERVAL_KEYS,
  INTERVAL_LEVELS,
  QUANTILE_KEYS,
  QUANTILE_LEVELS,
  intervalScore,
  pinballLoss,
  type DistributionScores,
} from './scores.js';

/** Distribution forecasts of log returns, one per window, and what happened. */
export interface ForecastSet {
  readonly family: UnitFamily;
  readonly mu: ArrayLike<number>;
  /** Standard deviations before calibration. */
  readonly sigma: ArrayLike<number>;
  readonly outcomes: ArrayLike<number>;
  readonly calibration?: ScaleCalibration | null;
}

/** CRPS, log score, pinball, coverage and interval scores of a forecast set (basis points where priced). */
export function scoreForecasts(set: ForecastSet): DistributionScores {
  const { family, mu, sigma, outcomes } = set;
  const calibration = set.calibration ?? null;
  const n = outcomes.length;
  if (mu.length !== n || sigma.length !== n) {
    throw new RangeError(`scoreForecasts: ${mu.length} locations, ${sigma.length} scales, ${n} outcomes`);
  }
  const scale = calibration === null ? 1 : calibration.scale;
  // Unit quantiles (with their calibrated multipliers) once, not once per window.
  const quantileZ = QUANTILE_LEVELS.map((p) =>
    p === 0.5 ? 0 : levelMultiplier(calibration, Math.abs(2 * p - 1)) * family.quantile(p),
  );
  const intervalZ = INTERVAL_LEVELS.map(
    (level) => levelMultiplier(calibration, level) * family.quantile((1 + level) / 2),
  );
  let crpsSum = 0;
  let logSum = 0;
  const pinball = new Float64Array(QUANTILE_LEVELS.length);
  const covered = new Float64Array(INTERVAL_LEVELS.length);
  const interval = new Float64Array(INTERVAL_LEVELS.length);
  for (let i = 0; i < n; i += 1) {
    const m = mu[i]!;
    const s = sigma[i]!;
    const y = outcomes[i]!;
    const sc = s * scale;
    const z = (y - m) / sc;
    crpsSum += sc * family.crps(z);
    logSum += Math.log(sc) - family.logPdf(z);
    for (let k = 0; k < QUANTILE_LEVELS.length; k += 1) {
      pinball[k]! += pinballLoss(m + s * quantileZ[k]!, y, QUANTILE_LEVELS[k]!);
    }
    for (let k = 0; k < INTERVAL_LEVELS.length; k += 1) {
      const half = s * intervalZ[k]!;
      if (y >= m - half && y <= m + half) covered[k]! += 1;
      interval[k]! += intervalScore(m - half, m + half, y, INTERVAL_LEVELS[k]!);
    }
  }
  const mean = (sum: number): number => (n === 0 ? Number.NaN : sum / n);
  return {
    windows: n,
    crps_bp: mean(crpsSum) * BASIS_POINTS,
    log_score: mean(logSum),
    pinball_bp: Object.fromEntries(
      QUANTILE_KEYS.map((key, k) => [key, mean(pinball[k]!) * BASIS_POINTS]),
    ) as DistributionScores['pinball_bp'],
    coverage_pct: Object.fromEntries(
      INTERVAL_KEYS.map((key, k) => [key, mean(covered[k]!) * 100]),
    ) as DistributionScores['coverage_pct'],
    interval_score_bp: Object.fromEntries(
      INTERVAL_KEYS.map((key, k) => [key, mean(interval[k]!) * BASIS_POINTS]),
    ) as DistributionScores['interval_score_bp'],
  };
}
