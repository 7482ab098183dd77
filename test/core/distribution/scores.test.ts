import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GAUSSIAN,
  crps,
  crpsSkill,
  fitScaleCalibration,
  intervalScore,
  logScore,
  pinballLoss,
  poolScores,
  scoreForecasts,
  unitFamily,
} from '../../../core/distribution/index.js';
import { unitDraws } from './synthetic.js';

const gaussian = unitFamily(GAUSSIAN);

describe('pinballLoss', () => {
  it('weighs misses above by p and below by 1 - p', () => {
    assert.ok(Math.abs(pinballLoss(1, 3, 0.9) - 1.8) < 1e-15);
    assert.ok(Math.abs(pinballLoss(1, -1, 0.9) - 0.2) < 1e-15);
  });
});

describe('intervalScore', () => {
  it('is the width plus 2 / alpha times the miss', () => {
    assert.equal(intervalScore(-1, 1, 0, 0.9), 2);
    assert.ok(Math.abs(intervalScore(-1, 1, 1.5, 0.9) - (2 + 20 * 0.5)) < 1e-12);
    assert.ok(Math.abs(intervalScore(-1, 1, -2, 0.8) - (2 + 10 * 1)) < 1e-12);
  });
});

describe('crpsSkill', () => {
  it('is 1 - CRPS / CRPS(B1)', () => {
    assert.ok(Math.abs(crpsSkill(39.9, 40) - 0.0025) < 1e-12);
  });
});

describe('scoreForecasts', () => {
  const n = 4000;
  const outcomes = unitDraws(GAUSSIAN, n, 3).map((z, i) => 0.003 * (1 + (i % 3)) * z);
  const sigma = Float64Array.from({ length: n }, (_, i) => 0.003 * (1 + (i % 3)));
  const mu = new Float64Array(n);

  it('averages the closed-form CRPS and log score, in bp for the CRPS', () => {
    const scores = scoreForecasts({ family: gaussian, mu, sigma, outcomes });
    let crpsSum = 0;
    let logSum = 0;
    for (let i = 0; i < n; i += 1) {
      crpsSum += crps(gaussian, { mu: 0, sigma: sigma[i]! }, outcomes[i]!);
      logSum += logScore(gaussian, { mu: 0, sigma: sigma[i]! }, outcomes[i]!);
    }
    assert.ok(Math.abs(scores.crps_bp - (crpsSum / n) * 1e4) < 1e-9);
    assert.ok(Math.abs(scores.log_score - logSum / n) < 1e-12);
  });

  it('covers about the nominal share when the forecast is the true distribution', () => {
    const { coverage_pct: coverage } = scoreForecasts({ family: gaussian, mu, sigma, outcomes });
    assert.ok(Math.abs(coverage.i80 - 80) < 2.5, `80%: ${coverage.i80}`);
    assert.ok(Math.abs(coverage.i90 - 90) < 2, `90%: ${coverage.i90}`);
    assert.ok(Math.abs(coverage.i95 - 95) < 1.5, `95%: ${coverage.i95}`);
  });

  it('pools disjoint parts into the scores of the whole', () => {
    const calibration = fitScaleCalibration({
      family: gaussian,
      mu,
      sigma: sigma.map((s) => s * 0.7),
      outcomes,
    });
    const whole = scoreForecasts({ family: gaussian, mu, sigma, outcomes, calibration });
    const parts = [0, 1000, n].slice(0, -1).map((from, k, starts) => {
      const to = k + 1 < starts.length ? starts[k + 1]! : n;
      return scoreForecasts({
        family: gaussian,
        mu: mu.subarray(from, to),
        sigma: sigma.subarray(from, to),
        outcomes: outcomes.subarray(from, to),
        calibration,
      });
    });
    const pooled = poolScores(parts);
    assert.equal(pooled.windows, n);
    for (const [a, b] of [
      [pooled.crps_bp, whole.crps_bp],
      [pooled.log_score, whole.log_score],
      [pooled.pinball_bp.q05, whole.pinball_bp.q05],
      [pooled.coverage_pct.i90, whole.coverage_pct.i90],
      [pooled.interval_score_bp.i95, whole.interval_score_bp.i95],
    ] as const) {
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.abs(b), `${a} vs ${b}`);
    }
  });
});
