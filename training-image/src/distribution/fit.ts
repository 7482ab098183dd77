import type { DistributionConfig } from '../../../core/config/index.js';
import {
  B0_RETURNS,
  GAUSSIAN,
  crpsSkill,
  fitScaleCalibration,
  fitScaleCorrection,
  scaleInputNames,
  scoreForecasts,
  sigmaB0,
  unitFamily,
  windowScale,
  writeScaleInputs,
  type DistributionScores,
  type ForecastDistribution,
  type ScaleCalibration,
  type ServedScale,
} from '../../../core/distribution/index.js';
import type { Candle } from '../../../core/market/index.js';
import type { DistributionMetrics } from '../../../core/metrics/index.js';

/**
 * Consecutive forecast windows of one split: window k ends at candle `first + k` and forecasts the
 * candle after it. `mu` holds each window's location from the point model, ln(forecast / last close);
 * absent, the location is 0 (the naive forecast, which the residual model barely moves from).
 */
export interface WindowSplit {
  readonly first: number;
  readonly count: number;
  readonly mu?: ArrayLike<number>;
}

export interface FitDistributionInput {
  /** Every candle the windows were made from, in time order. */
  readonly candles: readonly Candle[];
  /** Closes B1 reads: the network's window length. */
  readonly windowLength: number;
  readonly config: DistributionConfig;
  /** The correction is fitted here (by CRPS) ... */
  readonly train: WindowSplit;
  /** ... calibrated on these, the most recent windows before the test ones ... */
  readonly val: WindowSplit;
  /** ... and scored here, beside B0 and B1. */
  readonly test: WindowSplit;
}

export interface FittedDistribution {
  /** distribution.json. */
  readonly spec: ForecastDistribution;
  /** metrics.json's `distribution` block. */
  readonly metrics: DistributionMetrics;
  /** The test windows one by one, exactly as scored: what a backtest pools and draws. */
  readonly test: TestWindows;
}

/**
 * Each test window's forecasts of the next log return, as `metrics` scored them: the model's location
 * and scale before calibration (spec.calibration and spec.family complete it), B0's and B1's scales
 * (both Gaussian, centred on 0), and the outcome. Window k ends at candle `first + k`.
 */
export interface TestWindows {
  readonly first: number;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly sigmaB0: Float64Array;
  readonly sigmaB1: Float64Array;
  readonly outcomes: Float64Array;
}

export class DistributionFitError extends RangeError {
  public override readonly name = 'DistributionFitError';
}

interface SplitData {
  readonly mu: Float64Array;
  readonly outcomes: Float64Array;
}

function splitData(candles: readonly Candle[], split: WindowSplit): SplitData {
  const { first, count } = split;
  if (count < 1 || first + count >= candles.length) {
    throw new DistributionFitError(
      `Windows ending at candles ${first}..${first + count - 1} need the candle after each; ${candles.length} candles given`,
    );
  }
  if (split.mu !== undefined && split.mu.length !== count) {
    throw new DistributionFitError(`${split.mu.length} locations for ${count} windows`);
  }
  const mu = new Float64Array(count);
  const outcomes = new Float64Array(count);
  for (let k = 0; k < count; k += 1) {
    mu[k] = split.mu?.[k] ?? 0;
    outcomes[k] = Math.log(candles[first + k + 1]!.close / candles[first + k]!.close);
  }
  return { mu, outcomes };
}

/** The served scale (before calibration) and B1's for every window of a split. */
function splitSigmas(
  spec: ForecastDistribution,
  candles: readonly Candle[],
  split: WindowSplit,
): { sigma: Float64Array; sigmaB1: Float64Array } {
  const sigma = new Float64Array(split.count);
  const sigmaB1 = new Float64Array(split.count);
  for (let k = 0; k < split.count; k += 1) {
    const last = split.first + k;
    const scale = windowScale(spec, { candles, last, nextOpenTime: candles[last + 1]!.openTime });
    sigma[k] = scale.sigma;
    sigmaB1[k] = scale.sigmaB1;
  }
  return { sigma, sigmaB1 };
}

/** B0 of every window: the previous 720 returns, or as many as the candles hold (at least 2). */
function b0Sigmas(
  candles: readonly Candle[],
  split: WindowSplit,
): { sigma: Float64Array; minReturns: number } {
  const sigma = new Float64Array(split.count);
  let minReturns = B0_RETURNS;
  for (let k = 0; k < split.count; k += 1) {
    const last = split.first + k;
    const from = Math.max(1, last - B0_RETURNS + 1);
    const returns = new Float64Array(last - from + 1);
    for (let t = from; t <= last; t += 1)
      returns[t - from] = Math.log(candles[t]!.close / candles[t - 1]!.close);
    minReturns = Math.min(minReturns, returns.length);
    sigma[k] = sigmaB0(returns);
  }
  return { sigma, minReturns };
}

/** The served scale and the training windows it was fitted on (none for B1). */
interface FittedScale {
  readonly scale: ServedScale;
  readonly fitWindows: number;
}

function unfitted(config: DistributionConfig, windowLength: number): ForecastDistribution {
  return {
    schema_version: 1,
    family: config.family,
    b1: { window: windowLength },
    scale: { kind: 'b1' },
    calibration: null,
    held_out: null,
    selection: null,
  };
}

/** The linear correction of B1's log-scale, fitted by CRPS on the training windows. */
function fitLinearScale(input: FitDistributionInput): FittedScale {
  const { candles, config, windowLength } = input;
  const spec = unfitted(config, windowLength);
  const train = splitData(candles, input.train);
  const { sigmaB1 } = splitSigmas(spec, candles, input.train);
  const d = scaleInputNames(config.inputs).length;
  const x = new Float64Array(input.train.count * d);
  for (let k = 0; k < input.train.count; k += 1) {
    // The window alone, as windowScale (and so serving) reads it.
    const last = input.train.first + k;
    const window = candles.slice(last - windowLength + 1, last + 1);
    const next = candles[last + 1]!.openTime;
    writeScaleInputs(config.inputs, window, windowLength - 1, sigmaB1[k]!, next, x, k * d, windowLength);
  }
  const correction = fitScaleCorrection({
    family: unitFamily(config.family),
    inputs: config.inputs,
    x,
    sigmaBase: sigmaB1,
    outcomes: train.outcomes,
    mu: train.mu,
    l2: config.l2,
  });
  return { scale: { kind: 'linear', correction }, fitWindows: input.train.count };
}

/**
 * Fits the served distribution of the next close and measures it: the scale (B1, or the linear
 * correction fitted by CRPS on the training windows), split-conformal calibration on the validation
 * windows, then the test windows scored for the model (calibrated and not), B0 and B1. The test
 * windows touch no fit, so the held-out figures in distribution.json are what a client may expect.
 */
export function fitDistribution(input: FitDistributionInput): FittedDistribution {
  const { candles, config, windowLength } = input;
  // A test split without the candle after each window, or with the wrong number of locations, is refused
  // before anything is fitted.
  splitData(candles, input.test);
  const fittedScale: FittedScale =
    config.scale === 'linear' ? fitLinearScale(input) : { scale: { kind: 'b1' }, fitWindows: 0 };
  const family = unitFamily(config.family);
  let spec: ForecastDistribution = { ...unfitted(config, windowLength), scale: fittedScale.scale };

  let calibration: ScaleCalibration | null = null;
  if (config.calibrate) {
    const val = splitData(candles, input.val);
    calibration = fitScaleCalibration({
      family,
      mu: val.mu,
      sigma: splitSigmas(spec, candles, input.val).sigma,
      outcomes: val.outcomes,
    });
    spec = { ...spec, calibration };
  }

  const { sigma, sigmaB1 } = splitSigmas(spec, candles, input.test);
  return scoreServed({
    candles,
    spec,
    test: input.test,
    sigma,
    sigmaB1,
    windows: { fit: fittedScale.fitWindows, calibration: calibration === null ? 0 : input.val.count },
  });
}

export interface ServedScaleInput {
  readonly candles: readonly Candle[];
  /** distribution.json as it will be published, held_out aside (this fills it in). */
  readonly spec: ForecastDistribution;
  readonly test: WindowSplit;
  /** The served scale of each test window before calibration, and B1's. */
  readonly sigma: Float64Array;
  readonly sigmaB1: Float64Array;
  /** Windows the scale was fitted and calibrated on, for metrics.json. */
  readonly windows: { readonly fit: number; readonly calibration: number };
  readonly selection?: DistributionMetrics['selection'];
}

/**
 * Scores a served distribution on its test windows beside B0 and B1 (and uncalibrated), and fills in
 * distribution.json's held_out figures and metrics.json's distribution block. Whatever made the scale
 * (the linear correction, the shared network), the same arithmetic measures it.
 */
export function scoreServed(input: ServedScaleInput): FittedDistribution {
  const { candles, sigma, sigmaB1 } = input;
  let spec = input.spec;
  const calibration = spec.calibration;
  const family = unitFamily(spec.family);
  const gaussian = unitFamily(GAUSSIAN);
  const test = splitData(candles, input.test);
  const b0 = b0Sigmas(candles, input.test);
  const zero = new Float64Array(input.test.count);
  const score = (
    f: typeof family,
    mu: Float64Array,
    s: Float64Array,
    c: ScaleCalibration | null,
  ): DistributionScores =>
    scoreForecasts({ family: f, mu, sigma: s, outcomes: test.outcomes, calibration: c });
  const scores = {
    model: score(family, test.mu, sigma, calibration),
    model_uncalibrated: score(family, test.mu, sigma, null),
    b0: score(gaussian, zero, b0.sigma, null),
    b1: score(gaussian, zero, sigmaB1, null),
  };
  const skill = (s: DistributionScores): number => crpsSkill(s.crps_bp, scores.b1.crps_bp);
  const openTime = (k: number) => new Date(candles[input.test.first + k + 1]!.openTime).toISOString();
  spec = {
    ...spec,
    held_out: {
      windows: input.test.count,
      first_open_time: openTime(0),
      last_open_time: openTime(input.test.count - 1),
      crps_bp: scores.model.crps_bp,
      b1_crps_bp: scores.b1.crps_bp,
      crps_skill: skill(scores.model),
      coverage_pct: scores.model.coverage_pct,
      b1_coverage_pct: scores.b1.coverage_pct,
    },
  };
  return {
    spec,
    metrics: {
      family: spec.family,
      scale: spec.scale.kind,
      windows: { ...input.windows, test: input.test.count },
      b0_min_returns: b0.minReturns,
      ...scores,
      crps_skill: skill(scores.model),
      crps_skill_uncalibrated: skill(scores.model_uncalibrated),
      b0_crps_skill: skill(scores.b0),
      calibration,
      selection: input.selection ?? null,
    },
    test: {
      first: input.test.first,
      mu: test.mu,
      sigma,
      sigmaB0: b0.sigma,
      sigmaB1,
      outcomes: test.outcomes,
    },
  };
}
