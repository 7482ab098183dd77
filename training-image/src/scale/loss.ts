import { crps, crpsLogScaleGradient } from '../../../core/distribution/predictive.js';
import type { UnitFamily } from '../../../core/distribution/family.js';

/** Each window's B1 scale, which exp(log_scale) multiplies, and the log return that came next. */
export interface ScaleTargets {
  readonly sigmaB1: ArrayLike<number>;
  readonly logReturn: ArrayLike<number>;
}

export interface ScaleCrps {
  /** Mean over the windows of CRPS / sigma_B1. */
  readonly mean: number;
  /** d mean / d log_scale for each window. */
  readonly gradient: Float64Array;
}

/**
 * The mean CRPS of sigma = sigma_B1 x exp(log_scale) around the location 0 (the point model ties the
 * naive forecast at one hour), each window's divided by its sigma_B1: a calm hour and a wild one, a cheap
 * pair and an expensive one, weigh the same. B1 itself scores about 0.56 (1/sqrt(pi) for a right-sized
 * Gaussian). In float64 on the CPU: the family's closed form (a Student-t's) has no TensorFlow.js op, and
 * a batch is a few hundred numbers; the gradient is handed back to the network's own backward pass.
 */
export function scaleCrps(family: UnitFamily, logScale: ArrayLike<number>, targets: ScaleTargets): ScaleCrps {
  const count = logScale.length;
  if (targets.sigmaB1.length !== count || targets.logReturn.length !== count) {
    throw new RangeError(
      `scaleCrps: ${count} outputs for ${targets.sigmaB1.length} sigmas and ${targets.logReturn.length} returns`,
    );
  }
  const gradient = new Float64Array(count);
  let sum = 0;
  for (let i = 0; i < count; i += 1) {
    const base = targets.sigmaB1[i]!;
    const forecast = { mu: 0, sigma: base * Math.exp(logScale[i]!) };
    const y = targets.logReturn[i]!;
    sum += crps(family, forecast, y) / base;
    // d(CRPS / base) / d log_scale = (d CRPS / d ln sigma) / base, since d ln sigma / d log_scale = 1.
    gradient[i] = crpsLogScaleGradient(family, forecast, y) / base / count;
  }
  return { mean: count === 0 ? 0 : sum / count, gradient };
}
