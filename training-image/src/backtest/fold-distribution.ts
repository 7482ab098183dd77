import {
  GAUSSIAN,
  unitFamily,
  type DistributionScores,
  type ForecastDistribution,
} from '../../../core/distribution/index.js';
import type { TestWindows } from '../distribution/fit.js';
import { measureDistribution, type MeasureDistributionInput } from '../distribution/measure.js';
import { COVERAGE_LEVELS, coveragePercent } from './coverage.js';
import { linearComparator } from './linear-comparator.js';
import type { CoveragePoint, FoldDistribution } from './schema.js';

export interface FoldDistributionResult {
  /** The fold's report block. */
  readonly report: FoldDistribution;
  /** What was served: family, scale and calibration, for drawing its intervals. */
  readonly spec: ForecastDistribution;
  /** The test windows one by one, as scored. */
  readonly windows: TestWindows;
}

/**
 * One fold's distribution of the next close, measured by the hourly job's own step (measureDistribution,
 * so whatever scale the job serves is what the backtest scores), then the linear comparator and the
 * coverage of central intervals from 10% to 95% on the same test windows.
 */
export function measureFoldDistribution(input: MeasureDistributionInput): FoldDistributionResult {
  const served = measureDistribution(input);
  const { spec, metrics, test } = served;
  const family = unitFamily(spec.family);
  const gaussian = unitFamily(GAUSSIAN);
  const zero = new Float64Array(test.outcomes.length);
  const { outcomes } = test;
  const coverage = (level: number): CoveragePoint => ({
    level,
    model: coveragePercent(
      { family, mu: test.mu, sigma: test.sigma, outcomes, calibration: spec.calibration },
      level,
    ),
    model_uncalibrated: coveragePercent(
      { family, mu: test.mu, sigma: test.sigma, outcomes, calibration: null },
      level,
    ),
    b0: coveragePercent(
      { family: gaussian, mu: zero, sigma: test.sigmaB0, outcomes, calibration: null },
      level,
    ),
    b1: coveragePercent(
      { family: gaussian, mu: zero, sigma: test.sigmaB1, outcomes, calibration: null },
      level,
    ),
  });
  const scored = (scores: DistributionScores, crpsSkill: number) => ({ ...scores, crps_skill: crpsSkill });
  return {
    spec,
    windows: test,
    report: {
      family: metrics.family,
      scale: metrics.scale,
      fit_windows: metrics.windows.fit,
      calibration_windows: metrics.windows.calibration,
      calibration: metrics.calibration,
      windows: metrics.windows.test,
      model: scored(metrics.model, metrics.crps_skill),
      model_uncalibrated: scored(metrics.model_uncalibrated, metrics.crps_skill_uncalibrated),
      b0: scored(metrics.b0, metrics.b0_crps_skill),
      // 1 - CRPS(B1) / CRPS(B1), written as the number rather than computed, which it is exactly.
      b1: scored(metrics.b1, 0),
      linear: linearComparator(input, served),
      coverage_curve: COVERAGE_LEVELS.map(coverage),
    },
  };
}
