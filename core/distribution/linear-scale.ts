import * as z from 'zod';

import { FamilySpecSchema, type UnitFamily } from './family.js';
import { minimizeLbfgs } from './lbfgs.js';
import { crpsLogScaleGradient } from './predictive.js';
import { ScaleInputsSpecSchema, scaleInputNames, type ScaleInputsSpec } from './scale-inputs.js';

/**
 * The simplest model that could do the scale head's job: sigma = sigma_B1 x exp(bias + w · x̃), with
 * x̃ the inputs standardised on the training windows, fitted by mean CRPS (not likelihood: fat tails
 * push a likelihood-fitted scale up, see ARCHITECTURE.md). All zeros is exactly the base scale.
 */
export const ScaleCorrectionSchema = z
  .strictObject({
    family: FamilySpecSchema,
    inputs: ScaleInputsSpecSchema,
    names: z.array(z.string()),
    mean: z.array(z.number()),
    sd: z.array(z.number().positive()),
    weights: z.array(z.number()),
    bias: z.number(),
  })
  .refine(
    (v) =>
      v.mean.length === v.names.length &&
      v.sd.length === v.names.length &&
      v.weights.length === v.names.length,
    'names, mean, sd and weights need one entry per input',
  );

export type ScaleCorrection = z.infer<typeof ScaleCorrectionSchema>;

export interface ScaleCorrectionFit {
  readonly family: UnitFamily;
  readonly inputs: ScaleInputsSpec;
  /** Row-major inputs, rows x scaleInputNames(inputs).length. */
  readonly x: Float64Array;
  readonly sigmaBase: ArrayLike<number>;
  readonly outcomes: ArrayLike<number>;
  /** Locations; 0 (the random walk's) when absent. */
  readonly mu?: ArrayLike<number>;
  /** Ridge penalty on the standardised weights (not on the bias). */
  readonly l2?: number;
  /**
   * How windows weigh: `price` (default) by their CRPS in price terms, scaled by the mean base sigma so the
   * tolerance is unit-free; `relative` by their CRPS over their own base sigma, so that pairs of different
   * volatility pooled in one fit weigh alike (the scale network's loss, which this fit starts).
   */
  readonly weighting?: 'price' | 'relative';
}

/** Fits the correction by L-BFGS on mean CRPS (scaled by the mean base sigma so the tolerance is unit-free). */
export function fitScaleCorrection(fit: ScaleCorrectionFit): ScaleCorrection {
  const { family, inputs, x, sigmaBase, outcomes } = fit;
  const names = scaleInputNames(inputs);
  const d = names.length;
  const n = outcomes.length;
  if (n === 0 || sigmaBase.length !== n || x.length !== n * d) {
    throw new RangeError(
      `fitScaleCorrection: ${x.length} inputs, ${sigmaBase.length} scales, ${n} outcomes, ${d} columns`,
    );
  }
  const l2 = fit.l2 ?? 1e-4;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i += 1) for (let j = 0; j < d; j += 1) mean[j]! += x[i * d + j]! / n;
  for (let i = 0; i < n; i += 1) for (let j = 0; j < d; j += 1) sd[j]! += (x[i * d + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j += 1) sd[j] = Math.sqrt(sd[j]!) || 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i += 1)
    for (let j = 0; j < d; j += 1) z[i * d + j] = (x[i * d + j]! - mean[j]!) / sd[j]!;
  let unit = 0;
  for (let i = 0; i < n; i += 1) unit += sigmaBase[i]! / n;
  const relative = fit.weighting === 'relative';

  const objective = (theta: Float64Array) => {
    const gradient = new Float64Array(d + 1);
    let value = 0;
    for (let i = 0; i < n; i += 1) {
      let eta = theta[d]!;
      for (let j = 0; j < d; j += 1) eta += theta[j]! * z[i * d + j]!;
      const predictive = { mu: fit.mu?.[i] ?? 0, sigma: sigmaBase[i]! * Math.exp(eta) };
      const y = outcomes[i]!;
      // Exactly 1 for `price`: its arithmetic stays what it was, to the last bit.
      const weight = relative ? 1 / sigmaBase[i]! : 1;
      value += weight * predictive.sigma * family.crps((y - predictive.mu) / predictive.sigma);
      const g = weight * crpsLogScaleGradient(family, predictive, y);
      for (let j = 0; j < d; j += 1) gradient[j]! += g * z[i * d + j]!;
      gradient[d]! += g;
    }
    const scale = relative ? 1 / n : 1 / (n * unit);
    value *= scale;
    for (let j = 0; j <= d; j += 1) gradient[j]! *= scale;
    for (let j = 0; j < d; j += 1) {
      value += 0.5 * l2 * theta[j]! ** 2;
      gradient[j]! += l2 * theta[j]!;
    }
    return { value, gradient };
  };
  const result = minimizeLbfgs(objective, new Float64Array(d + 1), { gradientTolerance: 1e-8 });
  return {
    family: family.spec,
    inputs,
    names,
    mean,
    sd,
    weights: Array.from(result.x.subarray(0, d)),
    bias: result.x[d]!,
  };
}

/** The corrected standard deviation for one window's inputs (in scaleInputNames order). */
export function correctedSigma(
  correction: ScaleCorrection,
  inputs: ArrayLike<number>,
  sigmaBase: number,
): number {
  let eta = correction.bias;
  for (let j = 0; j < correction.weights.length; j += 1) {
    eta += (correction.weights[j]! * (inputs[j]! - correction.mean[j]!)) / correction.sd[j]!;
  }
  return sigmaBase * Math.exp(eta);
}
