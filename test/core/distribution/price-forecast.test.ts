import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GAUSSIAN,
  fitScaleCalibration,
  priceDistribution,
  unitFamily,
} from '../../../core/distribution/index.js';

describe('priceDistribution', () => {
  it('maps log-return quantiles and intervals to prices through lastClose x exp(q)', () => {
    const family = unitFamily(GAUSSIAN);
    const sigma = 0.004;
    const result = priceDistribution({ family, calibration: null, lastClose: 50_000, mu: 0, sigma });
    const q95 = result.quantiles.find((q) => q.level === 0.95)!.price;
    assert.ok(Math.abs(q95 - 50_000 * Math.exp(sigma * family.quantile(0.95))) < 1e-9);
    const i90 = result.intervals.find((i) => i.level === 0.9)!;
    assert.equal(i90.upper, q95);
    assert.equal(result.quantiles.find((q) => q.level === 0.5)!.price, 50_000);
    const prices = result.quantiles.map((q) => q.price);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
  });

  it('widens the intervals by the calibration multipliers', () => {
    const family = unitFamily(GAUSSIAN);
    const outcomes = Float64Array.from({ length: 200 }, (_, i) => 0.008 * Math.sin(i * 1.7));
    const calibration = fitScaleCalibration({
      family,
      mu: new Float64Array(200),
      sigma: new Float64Array(200).fill(0.002),
      outcomes,
    });
    const plain = priceDistribution({ family, calibration: null, lastClose: 100, mu: 0, sigma: 0.002 });
    const calibrated = priceDistribution({ family, calibration, lastClose: 100, mu: 0, sigma: 0.002 });
    const width = (d: typeof plain) => d.intervals[1]!.upper - d.intervals[1]!.lower;
    assert.ok(width(calibrated) > 1.5 * width(plain));
  });
});
