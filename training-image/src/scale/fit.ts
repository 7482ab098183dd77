import * as tf from '@tensorflow/tfjs';
import type { UnitFamily } from '../../../core/distribution/family.js';
import { stepsFromTimeMajor, toTimeMajor } from '../model/batch-layout.js';
import { SeededRandom } from '../model/random.js';
import { AdamW } from '../train/adamw.js';
import { scaleCrps } from './loss.js';
import { ScaleNetwork, type LinearStart, type ScaleMemberWeights } from './network.js';
import type { ScaleWindows } from './windows.js';

/** How the linear correction standardises its inputs (its fit's mean and sd): the network's z. */
export interface Standardiser {
  readonly mean: readonly number[];
  readonly sd: readonly number[];
}

/** How a member trains: its size, the optimiser, the batches, early stopping and the seed. */
export interface ScaleTrainingSettings {
  readonly hiddenSize: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly batchSize: number;
  /** Epochs without a better validation loss before stopping. */
  readonly patience: number;
  readonly maxEpochs: number;
  readonly seed: number;
}

export interface ScaleFitOptions extends ScaleTrainingSettings {
  readonly family: UnitFamily;
  readonly onEpoch?: (progress: ScaleEpoch) => void;
}

export interface ScaleEpoch {
  readonly epoch: number;
  readonly maxEpochs: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly improved: boolean;
  readonly seconds: number;
  readonly sequencesPerSecond: number;
  /** Upper bound: the epochs left at this pace if early stopping never triggers. */
  readonly etaSeconds: number;
}

export interface ScaleFitResult {
  /** Holds the best epoch's weights (epoch 0: the untrained network, the linear start itself). */
  readonly network: ScaleNetwork;
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  /** The linear start's validation loss: what the network had to beat. */
  readonly startValLoss: number;
  readonly history: readonly ScaleEpoch[];
  readonly stoppedEarly: boolean;
  readonly sequencesPerSecond: number;
}

/** The inputs standardised as the linear correction standardises them, float32 for the network. */
export function standardise(windows: ScaleWindows, standardiser: Standardiser): Float32Array {
  const d = windows.inputCount;
  const z = new Float32Array(windows.count * d);
  for (let i = 0; i < windows.count; i += 1) {
    for (let j = 0; j < d; j += 1) {
      z[i * d + j] = (windows.inputs[i * d + j]! - standardiser.mean[j]!) / standardiser.sd[j]!;
    }
  }
  return z;
}

const EVALUATION_BATCH = 1024;

/** log_scale of every window, the mean over `networks` (an ensemble's members), in float64. */
export function predictLogScale(
  networks: readonly ScaleNetwork[],
  windows: ScaleWindows,
  z: Float32Array,
): Float64Array {
  const out = new Float64Array(windows.count);
  const { hours, channels, inputCount } = windows;
  for (let from = 0; from < windows.count; from += EVALUATION_BATCH) {
    const count = Math.min(EVALUATION_BATCH, windows.count - from);
    const indices = Uint32Array.from({ length: count }, (_, k) => from + k);
    const timeMajor = toTimeMajor(windows.sequences, indices, hours, channels);
    // The tensor out of the tidy, read after it: tidy walks a returned array element by element.
    const summed = tf.tidy(() => {
      const steps = stepsFromTimeMajor(timeMajor, hours, channels);
      const zBatch = tf.tensor2d(z.subarray(from * inputCount, (from + count) * inputCount), [
        count,
        inputCount,
      ]);
      return tf.addN(networks.map((network) => network.predict(steps, zBatch)));
    });
    const sums = summed.dataSync();
    summed.dispose();
    for (let k = 0; k < count; k += 1) out[from + k] = sums[k]! / networks.length;
  }
  return out;
}

function meanLoss(family: UnitFamily, network: ScaleNetwork, windows: ScaleWindows, z: Float32Array): number {
  return scaleCrps(family, predictLogScale([network], windows, z), windows).mean;
}

/**
 * Trains one member on `train`, early-stopped on `val` (the mean scale-free CRPS), from the linear start.
 * The untrained network (the linear correction itself) is the first candidate: when no epoch beats it on
 * validation, the member stays exactly the linear correction. Seeded: the same inputs give the same
 * weights on the same backend.
 */
export function fitScaleMember(
  train: ScaleWindows,
  val: ScaleWindows,
  start: { readonly standardiser: Standardiser; readonly linear: LinearStart },
  options: ScaleFitOptions,
): ScaleFitResult {
  const random = new SeededRandom(options.seed);
  const network = ScaleNetwork.initialize(
    {
      hours: train.hours,
      channels: train.channels,
      hiddenSize: options.hiddenSize,
      linearInputs: train.inputCount,
    },
    start.linear,
    random,
  );
  const zTrain = standardise(train, start.standardiser);
  const zVal = standardise(val, start.standardiser);
  const optimizer = new AdamW({ learningRate: options.learningRate, weightDecay: options.weightDecay });
  const shuffle = random.fork();
  const { hours, channels, inputCount } = train;
  const history: ScaleEpoch[] = [];
  const startValLoss = meanLoss(options.family, network, val, zVal);
  let best: { epoch: number; loss: number; weights: ScaleMemberWeights } = {
    epoch: 0,
    loss: startValLoss,
    weights: network.toWeights(),
  };
  let sinceBest = 0;
  let trainSeconds = 0;
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch += 1) {
      const started = performance.now();
      const order = shuffle.permutation(train.count);
      let lossSum = 0;
      for (let from = 0; from < train.count; from += options.batchSize) {
        const indices = order.subarray(from, Math.min(train.count, from + options.batchSize));
        const timeMajor = toTimeMajor(train.sequences, indices, hours, channels);
        const zBatch = new Float32Array(indices.length * inputCount);
        const targets = {
          sigmaB1: new Float64Array(indices.length),
          logReturn: new Float64Array(indices.length),
        };
        indices.forEach((index, b) => {
          zBatch.set(zTrain.subarray(index * inputCount, (index + 1) * inputCount), b * inputCount);
          targets.sigmaB1[b] = train.sigmaB1[index]!;
          targets.logReturn[b] = train.logReturn[index]!;
        });
        const steps = stepsFromTimeMajor(timeMajor, hours, channels);
        const zTensor = tf.tensor2d(zBatch, [indices.length, inputCount]);
        try {
          const { loss, grads } = network.lossAndGradients(steps, zTensor, targets, options.family);
          optimizer.applyGradients(network.trainableVariables(), grads);
          tf.dispose(grads);
          lossSum += loss * indices.length;
        } finally {
          tf.dispose([...steps, zTensor]);
        }
      }
      const seconds = (performance.now() - started) / 1_000;
      trainSeconds += seconds;
      const valLoss = meanLoss(options.family, network, val, zVal);
      const improved = valLoss < best.loss;
      if (improved) {
        best = { epoch, loss: valLoss, weights: network.toWeights() };
        sinceBest = 0;
      } else {
        sinceBest += 1;
      }
      const progress: ScaleEpoch = {
        epoch,
        maxEpochs: options.maxEpochs,
        trainLoss: lossSum / train.count,
        valLoss,
        improved,
        seconds,
        sequencesPerSecond: train.count / seconds,
        etaSeconds: seconds * (options.maxEpochs - epoch),
      };
      history.push(progress);
      options.onEpoch?.(progress);
      if (sinceBest >= options.patience) break;
    }
  } finally {
    optimizer.dispose();
  }
  network.assignWeights(best.weights);
  return {
    network,
    bestEpoch: best.epoch,
    bestValLoss: best.loss,
    startValLoss,
    history,
    stoppedEarly: history.length < options.maxEpochs,
    sequencesPerSecond: trainSeconds === 0 ? 0 : (history.length * train.count) / trainSeconds,
  };
}
