import type { SequenceSet } from '../../../core/features/index.js';

/**
 * The residual network's output scale: the standard deviation, over the training windows, of the
 * target's change from the window's last value of `feature`. In min-max-scaled units an hourly
 * change is ~0.005, while AdamW moves every weight by ~learning_rate a step whatever the gradient:
 * a head predicting the change directly overshoots it within an epoch. Predicting it in units of
 * its own spread keeps the head's outputs near 1. Training windows only: no look at what is tested.
 */
export function residualScale(set: SequenceSet, feature: number): number {
  const { count, sequenceLength: steps, featureCount: features } = set;
  if (count === 0) return 1;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < count; i++) {
    const change = (set.y[i] as number) - (set.x[(i * steps + steps - 1) * features + feature] as number);
    sum += change;
    sumSquares += change * change;
  }
  const mean = sum / count;
  const deviation = Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
  return Number.isFinite(deviation) && deviation > 0 ? deviation : 1;
}
