import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolDistribution } from '../../../training-image/src/backtest/pool-distribution.js';
import {
  DistributionBlockSchema,
  type DistributionBlock,
  type ScoredForecaster,
} from '../../../training-image/src/backtest/schema.js';

/** A forecaster whose every score is `value` (coverage `cover`) over `windows` windows. */
function scored(windows: number, value: number, cover: number, skill: number): ScoredForecaster {
  const quantiles = { q05: value, q10: value, q25: value, q50: value, q75: value, q90: value, q95: value };
  const intervals = { i80: cover, i90: cover, i95: cover };
  return {
    windows,
    crps_bp: value,
    log_score: -value,
    pinball_bp: quantiles,
    coverage_pct: intervals,
    interval_score_bp: { i80: value, i90: value, i95: value },
    crps_skill: skill,
  };
}

function block(
  windows: number,
  model: number,
  b1: number,
  cover: number,
  linear: number | null,
): DistributionBlock {
  return DistributionBlockSchema.parse({
    windows,
    model: scored(windows, model, cover, 1 - model / b1),
    model_uncalibrated: scored(windows, model + 1, cover - 5, 1 - (model + 1) / b1),
    b0: scored(windows, b1 + 2, cover, 1 - (b1 + 2) / b1),
    b1: scored(windows, b1, cover - 10, 0),
    linear:
      linear === null
        ? { same_as_model: true, note: 'same' }
        : { same_as_model: false, ...scored(windows, linear, cover, 1 - linear / b1) },
    coverage_curve: [{ level: 0.9, model: cover, model_uncalibrated: cover - 5, b0: cover, b1: cover - 10 }],
  });
}

describe('poolDistribution', () => {
  // Prepare: a short calm fold and a long volatile one, as a fold of a different size would be.
  const short = block(10, 8, 10, 90, 9);
  const long = block(30, 40, 40, 70, 41);

  it('pools every score as the mean over all windows, not the mean of the folds’ means', () => {
    // Act
    const pooled = poolDistribution([short, long]);
    // Assess
    assert.equal(pooled.windows, 40);
    assert.equal(pooled.model.crps_bp, (10 * 8 + 30 * 40) / 40);
    assert.notEqual(pooled.model.crps_bp, (8 + 40) / 2);
    assert.equal(pooled.b1.crps_bp, (10 * 10 + 30 * 40) / 40);
    assert.equal(pooled.model.log_score, -(10 * 8 + 30 * 40) / 40);
    assert.equal(pooled.model.pinball_bp.q05, (10 * 8 + 30 * 40) / 40);
    assert.equal(pooled.model.coverage_pct.i90, (10 * 90 + 30 * 70) / 40);
    assert.equal(pooled.coverage_curve[0]!.model, (10 * 90 + 30 * 70) / 40);
    assert.equal(pooled.coverage_curve[0]!.b1, (10 * 80 + 30 * 60) / 40);
  });

  it('computes the skills from the pooled CRPS, B1’s being 0', () => {
    const pooled = poolDistribution([short, long]);

    assert.equal(pooled.model.crps_skill, 1 - 1280 / 1300);
    // The folds' skills were 0.2 and 0: their mean (0.1) is not the pooled skill.
    assert.notEqual(pooled.model.crps_skill, (short.model.crps_skill + long.model.crps_skill) / 2);
    assert.equal(pooled.b1.crps_skill, 0);
    assert.equal(pooled.linear.same_as_model, false);
    if (!pooled.linear.same_as_model) {
      assert.equal(pooled.linear.crps_bp, (10 * 9 + 30 * 41) / 40);
      assert.equal(pooled.linear.crps_skill, 1 - pooled.linear.crps_bp / pooled.b1.crps_bp);
    }
  });

  it('says the linear comparator is the model when every fold served it, and refuses a mix', () => {
    const same = poolDistribution([block(10, 8, 10, 90, null), block(30, 40, 40, 70, null)]);
    assert.deepEqual(same.linear, { same_as_model: true, note: 'same' });
    assert.throws(() => poolDistribution([short, block(30, 40, 40, 70, null)]), /some folds only/);
    assert.throws(() => poolDistribution([]), /no fold/);
  });
});
