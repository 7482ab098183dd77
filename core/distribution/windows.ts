import { RISKMETRICS_LAMBDA, sigmaB1 } from './baselines.js';

/** What the scale head is trained against, one entry per window makeSequences makes over the same rows. */
export interface WindowScaleTargets {
  /** B1's standard deviation from the window's own closes: what the head's exp(output) multiplies. */
  readonly sigmaB1: Float64Array;
  /** ln(target close / the window's last close): the outcome the distribution is scored on. */
  readonly logReturn: Float64Array;
}

/**
 * For window i = rows i .. i+L-1 with its target row i+L (makeSequences' layout), sigma_B1 of the
 * window's L closes and the log return from its last close to the target close.
 */
export function windowScaleTargets(
  closes: ArrayLike<number>,
  sequenceLength: number,
  lambda: number = RISKMETRICS_LAMBDA,
): WindowScaleTargets {
  const count = Math.max(0, closes.length - sequenceLength);
  const all = Float64Array.from(closes);
  const out = { sigmaB1: new Float64Array(count), logReturn: new Float64Array(count) };
  for (let i = 0; i < count; i += 1) {
    out.sigmaB1[i] = sigmaB1(all.subarray(i, i + sequenceLength), lambda);
    out.logReturn[i] = Math.log(all[i + sequenceLength]! / all[i + sequenceLength - 1]!);
  }
  return out;
}

/** The scale head: sigma = sigma_B1 x exp(output), so an output of 0 (a zero-started layer) is B1 exactly. */
export function headScale(sigmaB1Value: number, output: number): number {
  return sigmaB1Value * Math.exp(output);
}
