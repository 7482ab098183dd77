import * as z from 'zod';

import { FamilySpecSchema, type UnitFamily } from './family.js';
import type { Predictive } from './predictive.js';

/** Central-interval levels calibrated by default: those behind the served 5..95% quantiles, and 95%. */
export const CALIBRATED_LEVELS = [0.5, 0.8, 0.9, 0.95] as const;
/** The level whose multiplier scales the whole distribution (CRPS, log score, unlisted quantiles). */
export const REFERENCE_LEVEL = 0.9;
const SAME_LEVEL = 1e-9;

/**
 * Split-conformal calibration of the scale, fitted on the most recent held-out windows and saved
 * with the model (serving applies it). The central interval at a listed level is
 * mu ± multiplier x sigma x z, with z the family's (1 + level) / 2 quantile; any other quantile,
 * the CRPS and the log score use sigma x `scale`, the multiplier of the reference level.
 */
export const ScaleCalibrationSchema = z.strictObject({
  method: z.literal('split_conformal'),
  family: FamilySpecSchema,
  /** Held-out windows the multipliers were computed on. */
  windows: z.number().int().positive(),
  reference_level: z.number().gt(0).lt(1),
  scale: z.number().positive(),
  levels: z
    .array(z.strictObject({ level: z.number().gt(0).lt(1), multiplier: z.number().positive() }))
    .min(1),
});

export type ScaleCalibration = z.infer<typeof ScaleCalibrationSchema>;

export interface CalibrationInput {
  readonly family: UnitFamily;
  readonly mu: ArrayLike<number>;
  readonly sigma: ArrayLike<number>;
  readonly outcomes: ArrayLike<number>;
  readonly levels?: readonly number[];
  readonly referenceLevel?: number;
}

/**
 * Multipliers that make each central interval cover at least its level on the calibration windows,
 * with split conformal's finite-sample rank: for n windows, the ceil((n + 1) level)-th smallest of
 * |y - mu| / (sigma z_level). If the windows are exchangeable with the ones served, coverage is at
 * least nominal (and at most nominal + 1 / (n + 1)).
 */
export function fitScaleCalibration(input: CalibrationInput): ScaleCalibration {
  const { family, mu, sigma, outcomes } = input;
  const levels = [...(input.levels ?? CALIBRATED_LEVELS)].sort((a, b) => a - b);
  const referenceLevel = input.referenceLevel ?? REFERENCE_LEVEL;
  const n = outcomes.length;
  if (n === 0 || mu.length !== n || sigma.length !== n) {
    throw new RangeError(`Calibration needs matching, non-empty arrays: ${mu.length}, ${sigma.length}, ${n}`);
  }
  if (!levels.some((level) => Math.abs(level - referenceLevel) < SAME_LEVEL)) {
    throw new RangeError(
      `The reference level ${referenceLevel} must be one of the levels [${levels.join(', ')}]`,
    );
  }
  const ratios = new Float64Array(n);
  for (let i = 0; i < n; i += 1) ratios[i] = Math.abs(outcomes[i]! - mu[i]!) / sigma[i]!;
  ratios.sort();
  const calibrated = levels.map((level) => {
    const rank = Math.min(n, Math.ceil((n + 1) * level));
    const z = family.quantile((1 + level) / 2);
    return { level, multiplier: Math.max(ratios[rank - 1]! / z, Number.MIN_VALUE) };
  });
  const reference = calibrated.find((entry) => Math.abs(entry.level - referenceLevel) < SAME_LEVEL)!;
  return {
    method: 'split_conformal',
    family: family.spec,
    windows: n,
    reference_level: referenceLevel,
    scale: reference.multiplier,
    levels: calibrated,
  };
}

/** The multiplier of sigma for the central interval at `level` (the reference scale when not listed). */
export function levelMultiplier(calibration: ScaleCalibration | null, level: number): number {
  if (calibration === null) return 1;
  const entry = calibration.levels.find((item) => Math.abs(item.level - level) < SAME_LEVEL);
  return entry === undefined ? calibration.scale : entry.multiplier;
}

/** The calibrated distribution as one location and scale: what CRPS and the log score judge. */
export function calibratedPredictive(
  predictive: Predictive,
  calibration: ScaleCalibration | null,
): Predictive {
  return calibration === null
    ? predictive
    : { mu: predictive.mu, sigma: predictive.sigma * calibration.scale };
}

/** The central interval at `level`, calibrated when a calibration is given. */
export function centralInterval(
  family: UnitFamily,
  { mu, sigma }: Predictive,
  level: number,
  calibration: ScaleCalibration | null,
): readonly [number, number] {
  const half = sigma * levelMultiplier(calibration, level) * family.quantile((1 + level) / 2);
  return [mu - half, mu + half];
}

/**
 * The quantile at `p`: one end of the central interval at level |2p - 1|, so the served 5/95%
 * quantiles are exactly the served 90% interval.
 */
export function forecastQuantile(
  family: UnitFamily,
  predictive: Predictive,
  p: number,
  calibration: ScaleCalibration | null,
): number {
  if (p === 0.5) return predictive.mu;
  const [lower, upper] = centralInterval(family, predictive, Math.abs(2 * p - 1), calibration);
  return p < 0.5 ? lower : upper;
}
