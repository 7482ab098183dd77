import { crps, type UnitFamily } from '../../../core/distribution/index.js';

export interface ScaleShrinkInput {
  readonly family: UnitFamily;
  /** Each validation window's location, as the served distribution will be centred. */
  readonly mu: ArrayLike<number>;
  readonly sigmaB1: ArrayLike<number>;
  /** The network's `log_scale` output for each window. */
  readonly logScale: ArrayLike<number>;
  readonly outcomes: ArrayLike<number>;
}

export interface ScaleShrinkage {
  /** The share of the head's output served: sigma = sigma_B1 x exp(factor x output); 0 is B1. */
  readonly factor: number;
  /** Mean validation CRPS (log-return units) with that factor, and of B1 (factor 0). */
  readonly crps: number;
  readonly b1Crps: number;
}

/**
 * Shrinks the scale head toward B1 by as much as the validation windows ask, as the forecast is shrunk
 * toward the naive forecast (train/shrink.ts): of the factors 0, 0.05, ..., 1 on its output, the one
 * with the lowest mean validation CRPS of the served family (the smaller on a tie). A head that learned
 * nothing that holds on held-out hours is served as B1 (or near it) instead of as if it knew better;
 * the test windows are never looked at.
 */
export function shrinkScaleTowardB1(input: ScaleShrinkInput, steps = 20): ScaleShrinkage {
  const { family, mu, sigmaB1, logScale, outcomes } = input;
  const count = outcomes.length;
  if (mu.length !== count || sigmaB1.length !== count || logScale.length !== count || count === 0) {
    throw new RangeError(
      `shrinkScaleTowardB1: ${count} outcomes, ${mu.length} locations, ${sigmaB1.length} sigmas, ${logScale.length} outputs`,
    );
  }
  const crpsWith = (factor: number): number => {
    let sum = 0;
    for (let k = 0; k < count; k += 1) {
      const sigma = sigmaB1[k]! * Math.exp(factor * logScale[k]!);
      sum += crps(family, { mu: mu[k]!, sigma }, outcomes[k]!);
    }
    return sum / count;
  };
  const b1Crps = crpsWith(0);
  let best = { factor: 0, crps: b1Crps };
  for (let k = 1; k <= steps; k += 1) {
    const factor = k / steps;
    const value = crpsWith(factor);
    if (value < best.crps) best = { factor, crps: value };
  }
  return { ...best, b1Crps };
}
