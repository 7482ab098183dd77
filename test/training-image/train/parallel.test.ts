import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ForecastNetwork, type NetworkShape } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { fit, type FitOptions, type FitResult } from '../../../training-image/src/train/fit.js';
import { GradientWorkers } from '../../../training-image/src/train/parallel/pool.js';
import type { SequenceSet } from '../../../core/features/index.js';

const shape: NetworkShape = {
  sequenceLength: 6,
  featureCount: 9,
  hiddenSize: 5,
  layers: 2,
  dropoutRate: 0.2,
};

function windows(count: number, seed: number): SequenceSet {
  const random = new SeededRandom(seed);
  return {
    count,
    sequenceLength: shape.sequenceLength,
    featureCount: shape.featureCount,
    x: random.uniform(count * shape.sequenceLength * shape.featureCount, -1, 1),
    y: random.uniform(count, -1, 1),
  };
}

/** 50 windows in batches of 16 (the last batch is short and splits unevenly), 3 epochs. */
const FIT_OPTIONS: FitOptions = {
  batchSize: 16,
  valBatchSize: 64,
  maxEpochs: 3,
  patience: 3,
  learningRate: 1e-2,
  weightDecay: 0.01,
  seed: 9,
};

/** The same initial network fitted on one thread and on `workers`: their histories, in that order. */
async function fitBoth(
  networkShape: NetworkShape,
  workers: GradientWorkers,
  options: FitOptions,
): Promise<[FitResult['history'], FitResult['history']]> {
  const train = windows(50, 1);
  const val = windows(12, 2);
  const single = ForecastNetwork.initialize(networkShape, new SeededRandom(3));
  const parallel = ForecastNetwork.initialize(networkShape, new SeededRandom(3));
  try {
    const a = await fit(single, train, val, options);
    const b = await fit(parallel, train, val, { ...options, workers });
    return [a.history, b.history];
  } finally {
    single.dispose();
    parallel.dispose();
  }
}

describe('training on worker threads', () => {
  let workers: GradientWorkers;
  before(async () => {
    await selectBackend('auto');
    workers = await GradientWorkers.start(2, shape, 'wasm');
  });
  after(async () => {
    await workers.close();
  });

  it('gives the loss history of one thread, up to floating-point noise, dropout included', async () => {
    // Act
    const [a, b] = await fitBoth(shape, workers, FIT_OPTIONS);

    // Assess
    assert.equal(a.length, b.length);
    a.forEach((epoch, i) => {
      const other = b[i];
      assert.ok(other !== undefined);
      assert.ok(
        Math.abs(epoch.trainLoss - other.trainLoss) <= 1e-5 * Math.abs(epoch.trainLoss),
        `train loss ${i}`,
      );
      assert.ok(Math.abs(epoch.valLoss - other.valLoss) <= 1e-5 * Math.abs(epoch.valLoss), `val loss ${i}`);
    });
    // and it learned something: the runs are not trivially equal because nothing moved
    assert.notEqual(a[0]?.trainLoss, a[2]?.trainLoss);
  });
});
