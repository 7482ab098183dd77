import * as tf from '@tensorflow/tfjs';
import type { ForecastNetwork } from '../model/network.js';
import { stepsFromTimeMajor, toTimeMajor } from '../model/batch-layout.js';
import { dropoutDraws } from '../model/dropout.js';
import { SeededRandom } from '../model/random.js';
import type { ForecastNetworkWeights } from '../model/weights.js';
import { AdamW } from './adamw.js';
import type { GradientShare, GradientWorkers } from './parallel/pool.js';
import type { SequenceSet } from '../../../core/features/index.js';
import { meanSquaredError, predictWindows } from './windows.js';

export interface FitOptions {
  readonly batchSize: number;
  readonly valBatchSize: number;
  readonly maxEpochs: number;
  /** Epochs without a better validation loss before stopping. */
  readonly patience: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly seed: number;
  readonly onEpoch?: (progress: EpochProgress) => void;
  /** Called after each batch, for progress inside a long epoch. */
  readonly onBatch?: (progress: BatchProgress) => void;
  /** Worker threads that compute each batch's gradients in parallel; none trains on this thread. */
  readonly workers?: GradientWorkers | null;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly seconds: number;
  readonly sequencesPerSecond: number;
}

export interface EpochProgress extends EpochRecord {
  readonly maxEpochs: number;
  readonly improved: boolean;
  /** Time left if every remaining epoch runs (early stopping may end sooner). */
  readonly etaSeconds: number;
}

export interface BatchProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
}

export interface FitResult {
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  /** Training throughput over all epochs (training steps only, not validation). */
  readonly sequencesPerSecond: number;
}

/**
 * Mini-batch training with AdamW and early stopping on validation loss; the
 * network ends holding its best epoch's weights. Every random draw (shuffling,
 * dropout) comes from `seed`, so a run repeats exactly on the same backend.
 */
export async function fit(
  network: ForecastNetwork,
  train: SequenceSet,
  val: SequenceSet,
  options: FitOptions,
): Promise<FitResult> {
  if (train.count === 0 || val.count === 0) {
    throw new Error(`fit: needs training and validation windows (got ${train.count} and ${val.count})`);
  }
  if (!Number.isInteger(options.patience) || options.patience < 1) {
    throw new RangeError(
      `fit: patience must be a whole number of epochs, at least 1 (got ${options.patience})`,
    );
  }
  const random = new SeededRandom(options.seed);
  const shuffle = random.fork();
  const dropout = random.fork();
  const optimizer = new AdamW({ learningRate: options.learningRate, weightDecay: options.weightDecay });
  const batches = Math.ceil(train.count / options.batchSize);

  const history: EpochRecord[] = [];
  let best: { epoch: number; loss: number; weights: ForecastNetworkWeights } | null = null;
  let sinceBest = 0;
  let trainingSeconds = 0;
  const started = performance.now();
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      const epochStart = performance.now();
      const order = shuffle.permutation(train.count);
      let lossSum = 0;
      for (let batch = 0; batch < batches; batch++) {
        const indices = order.subarray(
          batch * options.batchSize,
          Math.min((batch + 1) * options.batchSize, train.count),
        );
        const loss =
          options.workers && options.workers.size > 0
            ? await parallelTrainStep(network, optimizer, options.workers, train, indices, dropout)
            : trainStep(network, optimizer, train, indices, dropout);
        lossSum += loss * indices.length;
        options.onBatch?.({ epoch, batch: batch + 1, batches, loss });
      }
      const trainSeconds = (performance.now() - epochStart) / 1000;
      trainingSeconds += trainSeconds;
      const valLoss = meanSquaredError(predictWindows(network, val, options.valBatchSize), val.y);
      const seconds = (performance.now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / train.count,
        valLoss,
        seconds,
        sequencesPerSecond: train.count / trainSeconds,
      };
      history.push(record);
      const improved = best === null || valLoss < best.loss;
      if (improved) {
        best = { epoch, loss: valLoss, weights: network.toWeights() };
        sinceBest = 0;
      } else {
        sinceBest += 1;
      }
      const meanEpoch = (performance.now() - started) / 1000 / epoch;
      options.onEpoch?.({
        ...record,
        maxEpochs: options.maxEpochs,
        improved,
        etaSeconds: meanEpoch * (options.maxEpochs - epoch),
      });
      if (sinceBest >= options.patience) break;
    }
  } finally {
    optimizer.dispose();
  }
  if (best === null) throw new Error('fit: no epoch ran');
  network.assignWeights(best.weights);
  const last = history[history.length - 1] as EpochRecord;
  return {
    history,
    bestEpoch: best.epoch,
    bestValLoss: best.loss,
    stoppedEarly: last.epoch < options.maxEpochs,
    seconds: (performance.now() - started) / 1000,
    sequencesPerSecond: (train.count * history.length) / trainingSeconds,
  };
}

/**
 * One optimisation step on the windows `indices` of `set`; returns the batch loss.
 * The unit that the training benchmark times.
 */
export function trainStep(
  network: ForecastNetwork,
  optimizer: AdamW,
  set: SequenceSet,
  indices: ArrayLike<number>,
  dropout: SeededRandom | undefined,
): number {
  const { sequenceLength: steps, featureCount: features } = set;
  const size = indices.length;
  const x = toTimeMajor(set.x, indices, steps, features);
  const y = new Float32Array(size);
  for (let i = 0; i < size; i++) y[i] = set.y[indices[i] as number] as number;
  return tf.tidy(() => {
    const { loss, grads } = network.lossAndGradients(
      stepsFromTimeMajor(x, steps, features),
      tf.tensor2d(y, [size, 1]),
      {
        dropout,
      },
    );
    optimizer.applyGradients(network.trainableVariables(), grads);
    return loss.dataSync()[0] as number;
  });
}

/**
 * trainStep with the batch split across worker threads: the same dropout masks
 * drawn in the same order as trainStep draws them, each worker's share of the
 * windows, and their gradients combined into the whole batch's. Equal to
 * trainStep up to the order floating-point sums are taken in.
 */
export async function parallelTrainStep(
  network: ForecastNetwork,
  optimizer: AdamW,
  workers: GradientWorkers,
  set: SequenceSet,
  indices: ArrayLike<number>,
  dropout: SeededRandom | undefined,
): Promise<number> {
  const { sequenceLength: steps, featureCount: features } = set;
  const batch = indices.length;
  // Each worker draws its own rows of the batch's dropout masks from where the generator is now
  // (the numbers one thread would draw); the generator then moves past the whole batch's masks.
  const dropoutAt = dropout === undefined || network.shape.dropoutRate <= 0 ? null : dropout.position;
  dropout?.skip(dropoutDraws(network.shape, batch));
  const shareCount = Math.min(workers.size, batch);
  const shares: GradientShare[] = [];
  for (let k = 0; k < shareCount; k++) {
    const from = Math.floor((k * batch) / shareCount);
    const to = Math.floor(((k + 1) * batch) / shareCount);
    const part = Array.from({ length: to - from }, (_, i) => indices[from + i] as number);
    const y = new Float32Array(part.length);
    part.forEach((index, i) => (y[i] = set.y[index] as number));
    shares.push({
      x: toTimeMajor(set.x, part, steps, features),
      y,
      dropout: dropoutAt === null ? null : { position: dropoutAt, batch, from, to },
    });
  }
  const { loss, grads } = await workers.gradients(network.weightArrays(), shares);
  const variables = network.trainableVariables();
  tf.tidy(() =>
    optimizer.applyGradients(
      variables,
      grads.map((g, i) => tf.tensor(g, (variables[i] as tf.Variable).shape)),
    ),
  );
  return loss;
}
