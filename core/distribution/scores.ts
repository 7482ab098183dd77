import * as z from 'zod';

/** Quantile levels every forecast is scored (and served) at. */
export const QUANTILE_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95] as const;
/** Central intervals every forecast is scored (and served) at. */
export const INTERVAL_LEVELS = [0.8, 0.9, 0.95] as const;
/** Scores of log returns times this are basis points of price (to first order). */
export const BASIS_POINTS = 10_000;

/** Pinball (quantile) loss of the quantile `q` at level `p` for the outcome `y`. */
export function pinballLoss(q: number, y: number, p: number): number {
  return y >= q ? p * (y - q) : (1 - p) * (q - y);
}

/**
 * Interval (Winkler) score of the central interval [lower, upper] at `level` (Gneiting & Raftery
 * 2007): its width, plus 2 / (1 - level) times how far the outcome falls outside it.
 */
export function intervalScore(lower: number, upper: number, y: number, level: number): number {
  const alpha = 1 - level;
  const below = y < lower ? (2 / alpha) * (lower - y) : 0;
  const above = y > upper ? (2 / alpha) * (y - upper) : 0;
  return upper - lower + below + above;
}

/** 1 - CRPS / CRPS(B1): above 0 beats the EWMA baseline, 0 ties it. */
export function crpsSkill(crps: number, crpsB1: number): number {
  return 1 - crps / crpsB1;
}

const quantileKeys = z.strictObject({
  q05: z.number(),
  q10: z.number(),
  q25: z.number(),
  q50: z.number(),
  q75: z.number(),
  q90: z.number(),
  q95: z.number(),
});
const intervalKeys = z.strictObject({ i80: z.number(), i90: z.number(), i95: z.number() });

/** The scores of a set of distribution forecasts: what metrics.json and the backtest report carry. */
export const DistributionScoresSchema = z.strictObject({
  windows: z.number().int().nonnegative(),
  /** Mean CRPS of the log-return distribution, in basis points. */
  crps_bp: z.number(),
  /** Mean -ln density of the log return (lower is better; in log-return units, so often negative). */
  log_score: z.number(),
  /** Mean pinball loss at each quantile level, in basis points. */
  pinball_bp: quantileKeys,
  /** Share of outcomes inside each central interval, in percent. */
  coverage_pct: intervalKeys,
  /** Mean interval (Winkler) score of each central interval, in basis points. */
  interval_score_bp: intervalKeys,
});

export type DistributionScores = z.infer<typeof DistributionScoresSchema>;

export const QUANTILE_KEYS = ['q05', 'q10', 'q25', 'q50', 'q75', 'q90', 'q95'] as const;
export const INTERVAL_KEYS = ['i80', 'i90', 'i95'] as const;

/**
 * Scores of several disjoint forecast sets pooled into one, as if scored together: every score is a
 * mean over windows, so the pooled one is the window-weighted mean (per-fold calibrations stay apart).
 */
export function poolScores(parts: readonly DistributionScores[]): DistributionScores {
  const windows = parts.reduce((sum, part) => sum + part.windows, 0);
  const mean = (pick: (part: DistributionScores) => number): number =>
    windows === 0 ? Number.NaN : parts.reduce((sum, part) => sum + part.windows * pick(part), 0) / windows;
  const keyed = <K extends string>(keys: readonly K[], pick: (part: DistributionScores, key: K) => number) =>
    Object.fromEntries(keys.map((key) => [key, mean((part) => pick(part, key))])) as Record<K, number>;
  return {
    windows,
    crps_bp: mean((part) => part.crps_bp),
    log_score: mean((part) => part.log_score),
    pinball_bp: keyed(QUANTILE_KEYS, (part, key) => part.pinball_bp[key]),
    coverage_pct: keyed(INTERVAL_KEYS, (part, key) => part.coverage_pct[key]),
    interval_score_bp: keyed(INTERVAL_KEYS, (part, key) => part.interval_score_bp[key]),
  };
}
