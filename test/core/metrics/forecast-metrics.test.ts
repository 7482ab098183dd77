import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forecastMetrics } from '../../../core/metrics/forecast-metrics.js';

describe('forecastMetrics', () => {
  it('computes the errors, the naive errors and the skill by hand', () => {
    // Prepare: three windows whose last close was 100.
    const sample = { predicted: [102, 99, 100], actual: [104, 98, 101], lastClose: [100, 100, 100] };

    // Act
    const m = forecastMetrics(sample);

    // Assess: errors 2, 1, 1; naive errors 4, 2, 1.
    assert.equal(m.windows, 3);
    assert.equal(m.mae, 4 / 3);
    assert.equal(m.rmse, Math.sqrt(6 / 3));
    assert.ok(Math.abs(m.mape - (100 * (2 / 104 + 1 / 98 + 1 / 101)) / 3) < 1e-12);
    assert.equal(m.naiveMae, 7 / 3);
    assert.equal(m.naiveRmse, Math.sqrt(21 / 3));
    assert.ok(Math.abs(m.skill - (1 - 4 / 7)) < 1e-12);
    // up/up right, down/down right, flat(=down)/up wrong
    assert.equal(m.directionAccuracy, 2 / 3);
  });

  it('gives the naive forecast itself a skill of 0', () => {
    const m = forecastMetrics({ predicted: [10, 11], actual: [11, 12], lastClose: [10, 11] });
    assert.equal(m.skill, 0);
  });

  it('refuses mismatched lengths', () => {
    assert.throws(
      () => forecastMetrics({ predicted: [1], actual: [1, 2], lastClose: [1, 2] }),
      /1 predictions, 2 actuals/,
    );
  });
});
