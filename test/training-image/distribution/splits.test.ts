import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { prepareTrainingData } from '../../../core/features/index.js';
import { distributionSplits, splitLocations } from '../../../training-image/src/distribution/splits.js';
import { hourlyCandles } from '../../support/candles-csv.js';

describe('distributionSplits', () => {
  const candles = hourlyCandles(400);
  const data = prepareTrainingData(candles, {
    sequenceLength: 24,
    testSize: 0.2,
    valSize: 0.25,
    featureSet: 'seed',
  });
  const splits = distributionSplits(data, 24);

  it("puts each window's next candle where prepareTrainingData took its label from", () => {
    for (const [name, set] of [
      ['train', data.train],
      ['val', data.val],
      ['test', data.test],
    ] as const) {
      const split = splits[name];
      assert.equal(split.count, set.count, name);
      const labels = data.scaler.inverseColumn(set.y, 'close');
      for (let k = 0; k < set.count; k += 1) {
        const next = candles[split.first + k + 1]!.close;
        assert.ok(Math.abs(labels[k]! / next - 1) < 1e-5, `${name} window ${k}: ${labels[k]} vs ${next}`);
      }
    }
  });

  it('locates each window at ln(forecast / last close), and at the last close for a non-positive forecast', () => {
    const test = splits.test;
    const forecasts = Array.from({ length: test.count }, (_, k) => candles[test.first + k]!.close * 1.01);
    forecasts[0] = -5;
    const { mu } = splitLocations(test, candles, forecasts);
    assert.equal(mu?.[0], 0);
    assert.ok(Math.abs(mu![1]! - Math.log(1.01)) < 1e-12);
    assert.throws(() => splitLocations(test, candles, forecasts.slice(1)), /forecasts for/);
  });
});
