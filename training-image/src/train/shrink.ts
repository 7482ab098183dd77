import { lastStepValues, type SequenceSet } from '../../../core/features/index.js';

export interface Shrinkage {
  /** The share of the network's predicted change kept: 0 is the naive forecast, 1 the network. */
  readonly factor: number;
  /** Validation MAE (scaled units) with that factor, and of the naive forecast. */
  readonly mae: number;
  readonly naiveMae: number;
}

/**
 * Shrinks a residual model toward the naive forecast by as much as the validation windows ask:
 * of the factors 0, 0.05, ..., 1 on the predicted change from the last value of `feature`, the one
 * with the lowest validation MAE (the smaller on a tie). A network whose change is noise on held-out
 * data ends at or near 0, the naive forecast, instead of being served as if it knew better; the test
 * windows are never looked at.
 */
export function shrinkTowardNaive(
  set: SequenceSet,
  predicted: Float32Array,
  feature: number,
  steps = 20,
): Shrinkage {
  const { count } = set;
  const last = lastStepValues(set, feature);
  const maeWith = (factor: number): number => {
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const base = last[i] as number;
      sum += Math.abs(base + factor * ((predicted[i] as number) - base) - (set.y[i] as number));
    }
    return count === 0 ? 0 : sum / count;
  };
  let best = { factor: 0, mae: maeWith(0) };
  for (let k = 1; k <= steps; k++) {
    const factor = k / steps;
    const mae = maeWith(factor);
    if (mae < best.mae) best = { factor, mae };
  }
  return { ...best, naiveMae: maeWith(0) };
}
