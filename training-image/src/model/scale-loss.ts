import { crps, crpsLogScaleGradient, type UnitFamily } from '../../../core/distribution/index.js';

/**
 * What the scale head is scored against, one entry per window of a batch (windowScaleTargets over
 * the rows makeSequences read): B1's sigma of the window, which the head's exp(output) multiplies, and
 * the log return that came next.
 */
export interface ScaleTargets {
  readonly sigmaB1: ArrayLike<number>;
  readonly logReturn: ArrayLike<number>;
}

/** The scale head's share of the training loss: `weight` x the mean scale-free CRPS of `family`. */
export interface ScaleLoss {
  readonly family: UnitFamily;
  readonly weight: number;
}

export interface ScaleCrps {
  /** Mean over the windows of CRPS / sigma_B1, unweighted. */
  readonly mean: number;
  /** d mean / d output for each window. */
  readonly gradient: Float64Array;
}

/**
 * The mean CRPS of sigma = sigma_B1 x exp(output) around the location 0 (the point model ties the
 * naive forecast at one hour), each window's divided by its sigma_B1: a calm hour and a wild one, a
 * cheap pair and an expensive year, weigh the same, so one weight means the same everywhere. B1 itself
 * (output 0) scores about 0.56 here (1/sqrt(pi) for a right-sized Gaussian). Computed on the CPU in float64: the family's closed form
 * (a Student-t's needs beta functions) has no TensorFlow.js op, and a batch is a few dozen numbers.
 */
export function scaleCrps(family: UnitFamily, output: ArrayLike<number>, targets: ScaleTargets): ScaleCrps {
  const count = output.length;
  if (targets.sigmaB1.length !== count || targets.logReturn.length !== count) {
    throw new RangeError(
      `scaleCrps: ${count} outputs for ${targets.sigmaB1.length} sigmas and ${targets.logReturn.length} returns`,
    );
  }
  const gradient = new Float64Array(count);
  let sum = 0;
  for (let i = 0; i < count; i += 1) {
    const base = targets.sigmaB1[i]!;
    const forecast = { mu: 0, sigma: base * Math.exp(output[i]!) };
    const y = targets.logReturn[i]!;
    sum += crps(family, forecast, y) / base;
    // d(CRPS / base) / d output = (d CRPS / d ln sigma) / base, since d ln sigma / d output = 1.
    gradient[i] = crpsLogScaleGradient(family, forecast, y) / base / count;
  }
  return { mean: count === 0 ? 0 : sum / count, gradient };
}
