import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GAUSSIAN, unitFamily } from '../../../core/distribution/index.js';
import type { SequenceSet } from '../../../core/features/index.js';
import { ForecastNetwork } from '../../../training-image/src/model/network.js';
import { SeededRandom } from '../../../training-image/src/model/random.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { scaleCrps } from '../../../training-image/src/model/scale-loss.js';
import { fit } from '../../../training-image/src/train/fit.js';
import { unitDraws } from '../../core/distribution/synthetic.js';

const SHAPE = {
  sequenceLength: 4,
  featureCount: 3,
  hiddenSize: 8,
  layers: 1,
  dropoutRate: 0,
  scaleHead: true,
};

/**
 * Windows whose next return's volatility is sigma_B1 x exp(0.8 x the last step's first feature): B1
 * misses it by up to exp(0.8) either way, a scale head that reads the window can learn it.
 */
function volatileWindows(count: number, seed: number) {
  const random = new SeededRandom(seed);
  const x = random.uniform(count * SHAPE.sequenceLength * SHAPE.featureCount, -1, 1);
  const draws = unitDraws(GAUSSIAN, count, seed + 100);
  const sigmaB1 = new Float64Array(count).fill(0.004);
  const truth = Float64Array.from(
    { length: count },
    (_, i) => 0.8 * x[(i * SHAPE.sequenceLength + SHAPE.sequenceLength - 1) * SHAPE.featureCount]!,
  );
  const logReturn = Float64Array.from({ length: count }, (_, i) => 0.004 * Math.exp(truth[i]!) * draws[i]!);
  const set: SequenceSet = { count, ...SHAPE, x, y: new Float32Array(count) };
  return { set, targets: { sigmaB1, logReturn }, truth };
}

describe('fit with a scale head', () => {
  before(async () => {
    await selectBackend('auto');
  });

  it('learns a volatility the windows carry: most of the way from B1 to the true scale on validation', async () => {
    // Prepare
    const train = volatileWindows(512, 1);
    const val = volatileWindows(256, 2);
    const network = ForecastNetwork.initialize(SHAPE, new SeededRandom(3));

    // Act
    const result = await fit(network, train.set, val.set, {
      batchSize: 32,
      valBatchSize: 256,
      maxEpochs: 15,
      patience: 15,
      learningRate: 1e-2,
      weightDecay: 0,
      seed: 4,
      scale: { loss: { family: unitFamily(GAUSSIAN), weight: 1 }, train: train.targets, val: val.targets },
    });

    // Assess: from about B1 after one epoch to near what the true scale scores
    const family = unitFamily(GAUSSIAN);
    const b1 = scaleCrps(family, new Float64Array(256), val.targets).mean;
    const oracle = scaleCrps(family, val.truth, val.targets).mean;
    const best = Math.min(...result.history.map((e) => e.valScaleCrps ?? Number.NaN));
    assert.ok(oracle < 0.97 * b1, `the data leave room to learn: B1 ${b1}, truth ${oracle}`);
    assert.ok(
      best - oracle < 0.25 * (b1 - oracle),
      `validation scale CRPS: B1 ${b1}, best ${best}, truth ${oracle}`,
    );
    network.dispose();
  });
});
