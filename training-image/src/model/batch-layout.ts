import * as tf from '@tensorflow/tfjs';

/** Window batch (batch-major [N, T, F] rows picked by `indices`) to the network's time-major [T * B, F]. */
export function toTimeMajor(
  windows: Float32Array,
  indices: ArrayLike<number>,
  timeSteps: number,
  featureCount: number,
  out: Float32Array = new Float32Array(indices.length * timeSteps * featureCount),
): Float32Array {
  const batch = indices.length;
  const windowSize = timeSteps * featureCount;
  for (let b = 0; b < batch; b++) {
    const start = (indices[b] as number) * windowSize;
    for (let t = 0; t < timeSteps; t++) {
      const from = start + t * featureCount;
      out.set(windows.subarray(from, from + featureCount), (t * batch + b) * featureCount);
    }
  }
  return out;
}

/** Time-major [T * B, F] buffer (toTimeMajor) to the T step tensors the network reads. */
export function stepsFromTimeMajor(x: Float32Array, timeSteps: number, featureCount: number): tf.Tensor2D[] {
  const batch = x.length / (timeSteps * featureCount);
  const size = batch * featureCount;
  return Array.from({ length: timeSteps }, (_, t) =>
    tf.tensor2d(x.subarray(t * size, (t + 1) * size), [batch, featureCount]),
  );
}
