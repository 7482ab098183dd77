import * as tf from '@tensorflow/tfjs';
import type { SequenceSet } from '../../../core/features/index.js';
import type { ForecastNetwork } from '../model/network.js';
import { stepsFromTimeMajor, toTimeMajor } from '../model/batch-layout.js';
import { scaleCrps, type ScaleLoss, type ScaleTargets } from '../model/scale-loss.js';

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

/** The network's forecast and scale output for every window, in order (logScale null without a head). */
export function predictWindowOutputs(
  network: ForecastNetwork,
  set: Omit<SequenceSet, 'y'>,
  batchSize: number,
): { forecast: Float32Array; logScale: Float32Array | null } {
  const forecast = new Float32Array(set.count);
  const logScale = network.hasScaleHead ? new Float32Array(set.count) : null;
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    const indices = Array.from({ length: size }, (_, i) => start + i);
    const x = toTimeMajor(set.x, indices, set.sequenceLength, set.featureCount);
    tf.tidy(() => {
      const outputs = network.predictOutputs(stepsFromTimeMajor(x, set.sequenceLength, set.featureCount));
      forecast.set(outputs.forecast.dataSync(), start);
      if (logScale !== null && outputs.logScale !== null) logScale.set(outputs.logScale.dataSync(), start);
    });
  }
  return { forecast, logScale };
}

/**
 * What early stopping compares: the forecast's MSE on the validation windows, plus, with a scale head,
 * the weighted mean scale-free CRPS that training minimises, so the epoch kept is the best at both.
 */
export function validationLoss(
  network: ForecastNetwork,
  set: SequenceSet,
  batchSize: number,
  scale: { readonly loss: ScaleLoss; readonly targets: ScaleTargets } | undefined,
): { loss: number; scaleCrps: number | null } {
  const outputs = predictWindowOutputs(network, set, batchSize);
  const mse = meanSquaredError(outputs.forecast, set.y);
  if (scale === undefined || outputs.logScale === null) return { loss: mse, scaleCrps: null };
  const { mean } = scaleCrps(scale.loss.family, outputs.logScale, scale.targets);
  return { loss: mse + scale.loss.weight * mean, scaleCrps: mean };
}

/** The targets of the windows `indices`, in that order, as the batch carries them. */
export function pickTargets(targets: ScaleTargets, indices: ArrayLike<number>): BatchTargets {
  const sigmaB1 = new Float64Array(indices.length);
  const logReturn = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i += 1) {
    const k = indices[i]!;
    sigmaB1[i] = targets.sigmaB1[k]!;
    logReturn[i] = targets.logReturn[k]!;
  }
  return { sigmaB1, logReturn };
}

/** A batch's scale targets as transferable arrays (a worker thread gets its share of them). */
export interface BatchTargets {
  readonly sigmaB1: Float64Array;
  readonly logReturn: Float64Array;
}
