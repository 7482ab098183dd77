import {
  GAUSSIAN,
  correctedSigma,
  crpsSkill,
  fitScaleCalibration,
  fitScaleCorrection,
  poolScores,
  scoreForecasts,
  unitFamily,
  type DistributionScores,
  type FamilySpec,
  type ScaleCalibration,
  type ScaleCorrection,
  type ScaleInputsSpec,
  type UnitFamily,
} from '../../../../core/distribution/index.js';
import type { ScaleSeries } from './series.js';
import { SCALE_MODELS, type ScaleFold, type ScaleModelName } from './schema.js';

export interface ScaleWalkForwardOptions {
  readonly folds: number;
  /** Windows each fold forecasts (720: a month of hours). */
  readonly testHours: number;
  /** The most recent windows before each fold, held out of the fit to calibrate on. */
  readonly calibrationHours: number;
  /** Fewest windows a fit may use. */
  readonly minFitHours: number;
  readonly studentT: FamilySpec;
  readonly inputs: ScaleInputsSpec;
  readonly l2: number;
}

export class ScaleBacktestPlanError extends Error {
  public override readonly name = 'ScaleBacktestPlanError';
}

interface Range {
  readonly from: number;
  readonly to: number;
}

/** Folds of testHours windows at the end of the series; each fits on everything before its calibration windows. */
export function planScaleFolds(
  count: number,
  options: ScaleWalkForwardOptions,
): { fit: Range; cal: Range; test: Range }[] {
  const needed = options.folds * options.testHours + options.calibrationHours + options.minFitHours;
  if (count < needed) {
    throw new ScaleBacktestPlanError(
      `${options.folds} folds of ${options.testHours} hours, ${options.calibrationHours} calibration hours and at least ${options.minFitHours} fit hours need ${needed} forecastable windows; the candles give ${count} (each window also needs the 721 candles before it). Use fewer folds or fewer test hours.`,
    );
  }
  return Array.from({ length: options.folds }, (_, k) => {
    const testFrom = count - (options.folds - k) * options.testHours;
    const calFrom = testFrom - options.calibrationHours;
    return {
      fit: { from: 0, to: calFrom },
      cal: { from: calFrom, to: testFrom },
      test: { from: testFrom, to: testFrom + options.testHours },
    };
  });
}

function sigmas(series: ScaleSeries, range: Range, correction: ScaleCorrection | null): Float64Array {
  const d = series.inputNames.length;
  const out = new Float64Array(range.to - range.from);
  for (let i = range.from; i < range.to; i += 1) {
    const base = series.sigmaB1[i]!;
    out[i - range.from] =
      correction === null
        ? base
        : correctedSigma(correction, series.inputs.subarray(i * d, (i + 1) * d), base);
  }
  return out;
}

function fit(
  series: ScaleSeries,
  range: Range,
  family: UnitFamily,
  options: ScaleWalkForwardOptions,
): ScaleCorrection {
  const d = series.inputNames.length;
  return fitScaleCorrection({
    family,
    inputs: options.inputs,
    x: series.inputs.subarray(range.from * d, range.to * d),
    sigmaBase: series.sigmaB1.subarray(range.from, range.to),
    outcomes: series.outcomes.subarray(range.from, range.to),
    l2: options.l2,
  });
}

function calibrate(
  series: ScaleSeries,
  range: Range,
  family: UnitFamily,
  correction: ScaleCorrection | null,
): ScaleCalibration {
  return fitScaleCalibration({
    family,
    mu: new Float64Array(range.to - range.from),
    sigma: sigmas(series, range, correction),
    outcomes: series.outcomes.subarray(range.from, range.to),
  });
}

/** One fold's scores per model (before the skill is added). */
export function runScaleFold(
  series: ScaleSeries,
  fold: number,
  plan: ReturnType<typeof planScaleFolds>[number],
  options: ScaleWalkForwardOptions,
): { fold: ScaleFold; scores: Record<ScaleModelName, DistributionScores> } {
  const gaussian = unitFamily(GAUSSIAN);
  const studentT = unitFamily(options.studentT);
  const { test, cal } = plan;
  const outcomes = series.outcomes.subarray(test.from, test.to);
  const mu = new Float64Array(test.to - test.from);
  const corrections = {
    gaussian: fit(series, plan.fit, gaussian, options),
    student_t: fit(series, plan.fit, studentT, options),
  };
  const calibrations = {
    B1: calibrate(series, cal, gaussian, null),
    B1_t: calibrate(series, cal, studentT, null),
    linear: calibrate(series, cal, gaussian, corrections.gaussian),
    linear_t: calibrate(series, cal, studentT, corrections.student_t),
  };
  const b1 = sigmas(series, test, null);
  const linear = sigmas(series, test, corrections.gaussian);
  const linearT = sigmas(series, test, corrections.student_t);
  const score = (family: UnitFamily, sigma: Float64Array, calibration: ScaleCalibration | null = null) =>
    scoreForecasts({ family, mu, sigma, outcomes, calibration });
  const scores: Record<ScaleModelName, DistributionScores> = {
    B0: score(gaussian, series.sigmaB0.slice(test.from, test.to)),
    B1: score(gaussian, b1),
    B1_t: score(studentT, b1),
    B1_calibrated: score(gaussian, b1, calibrations.B1),
    B1_t_calibrated: score(studentT, b1, calibrations.B1_t),
    linear: score(gaussian, linear),
    linear_calibrated: score(gaussian, linear, calibrations.linear),
    linear_t: score(studentT, linearT),
    linear_t_calibrated: score(studentT, linearT, calibrations.linear_t),
  };
  return {
    scores,
    fold: {
      fold,
      test_first: new Date(series.openTimes[test.from]!).toISOString(),
      test_last: new Date(series.openTimes[test.to - 1]!).toISOString(),
      fit_windows: plan.fit.to - plan.fit.from,
      calibration_windows: cal.to - cal.from,
      models: withSkill(scores),
      corrections,
      calibrations,
    },
  };
}

export function withSkill(
  scores: Record<ScaleModelName, DistributionScores>,
): Record<ScaleModelName, { scores: DistributionScores; crps_skill: number }> {
  return Object.fromEntries(
    SCALE_MODELS.map((name) => [
      name,
      { scores: scores[name], crps_skill: crpsSkill(scores[name].crps_bp, scores.B1.crps_bp) },
    ]),
  ) as Record<ScaleModelName, { scores: DistributionScores; crps_skill: number }>;
}

/** Pooled scores per model over the folds, with how many folds each beat B1 in and its 90% coverage range. */
export function poolFolds(folds: readonly Record<ScaleModelName, DistributionScores>[]) {
  const pooled = Object.fromEntries(
    SCALE_MODELS.map((name) => [name, poolScores(folds.map((fold) => fold[name]))]),
  ) as Record<ScaleModelName, DistributionScores>;
  const skills = withSkill(pooled);
  return Object.fromEntries(
    SCALE_MODELS.map((name) => {
      const coverage = folds.map((fold) => fold[name].coverage_pct.i90);
      return [
        name,
        {
          ...skills[name],
          folds_skill_non_negative: folds.filter(
            (fold) => crpsSkill(fold[name].crps_bp, fold.B1.crps_bp) >= 0,
          ).length,
          coverage_90_min: Math.min(...coverage),
          coverage_90_max: Math.max(...coverage),
        },
      ];
    }),
  );
}
