import { crpsSkill, poolScores, type DistributionScores } from '../../../core/distribution/index.js';
import type { CoveragePoint, DistributionBlock, LinearComparator, ScoredForecaster } from './schema.js';

/**
 * Every fold's distribution block pooled into one over all their forecast hours. Each score is a mean
 * over windows, so the pooled one is the window-weighted mean of the folds' (poolScores), which is the
 * mean over every window, whatever the folds' sizes; the skills are then recomputed from the pooled
 * CRPS (a ratio of means, not a mean of the folds' ratios).
 */
export function poolDistribution(folds: readonly DistributionBlock[]): DistributionBlock {
  if (folds.length === 0) throw new RangeError('poolDistribution: no fold');
  const b1 = poolScores(folds.map((f) => f.b1));
  const pooled = (pick: (f: DistributionBlock) => DistributionScores): ScoredForecaster => {
    const scores = poolScores(folds.map(pick));
    return { ...scores, crps_skill: crpsSkill(scores.crps_bp, b1.crps_bp) };
  };
  return {
    windows: b1.windows,
    model: pooled((f) => f.model),
    model_uncalibrated: pooled((f) => f.model_uncalibrated),
    b0: pooled((f) => f.b0),
    b1: { ...b1, crps_skill: 0 },
    linear: poolLinear(folds, b1.crps_bp),
    coverage_curve: poolCoverage(folds),
  };
}

function poolLinear(folds: readonly DistributionBlock[], b1Crps: number): LinearComparator {
  const fitted = folds.map((f) => f.linear).filter((l) => !l.same_as_model);
  if (fitted.length === 0 && folds[0]!.linear.same_as_model) return folds[0]!.linear;
  if (fitted.length !== folds.length) {
    // The configuration is one for every fold, so this would be a bug, not a market.
    throw new RangeError('poolDistribution: the linear comparator was fitted in some folds only');
  }
  // poolScores builds a fresh object from the score fields alone.
  const scores = poolScores(fitted);
  return { same_as_model: false, ...scores, crps_skill: crpsSkill(scores.crps_bp, b1Crps) };
}

function poolCoverage(folds: readonly DistributionBlock[]): CoveragePoint[] {
  const windows = folds.reduce((n, f) => n + f.windows, 0);
  return folds[0]!.coverage_curve.map((point, i) => {
    const mean = (pick: (p: CoveragePoint) => number): number =>
      folds.reduce((sum, f) => sum + f.windows * pick(f.coverage_curve[i]!), 0) / windows;
    return {
      level: point.level,
      model: mean((p) => p.model),
      model_uncalibrated: mean((p) => p.model_uncalibrated),
      b0: mean((p) => p.b0),
      b1: mean((p) => p.b1),
    };
  });
}
