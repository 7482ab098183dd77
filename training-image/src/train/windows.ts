import * as tf from '@tensorflow/tfjs';
import type { SequenceSet } from '../../../core/features/index.js';
import type { ForecastNetwork } from '../model/network.js';
import { stepsFromTimeMajor, toTimeMajor } from '../model/batch-layout.js';

/** The network's prediction for every window, in order, `batchSize` windows per forward pass. */
export function predictWindows(
  network: ForecastNetwork,
  set: Omit<SequenceSet, 'y'>,
  batchSize: number,
): Float32Array {
  const out = new Float32Array(set.count);
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    const indices = Array.from({ length: size }, (_, i) => start + i);
    const x = toTimeMajor(set.x, indices, set.sequenceLength, set.featureCount);
    // The tensor out of the tidy, its values after: tf.tidy walks a returned Float32Array element by
    // element looking for tensors (see train/parallel/worker.ts).
    const predicted = tf.tidy(() =>
      network.predict(stepsFromTimeMajor(x, set.sequenceLength, set.featureCount)),
    );
    out.set(predicted.dataSync(), start);
    predicted.dispose();
  }
  return out;
}

export function meanSquaredError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (predicted.length !== actual.length || actual.length === 0) {
    throw new Error(`meanSquaredError: ${predicted.length} predictions for ${actual.length} labels`);
  }
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (predicted[i] as number) - (actual[i] as number);
    sum += d * d;
  }
  return sum / actual.length;
}
