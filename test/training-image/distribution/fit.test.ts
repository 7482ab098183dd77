import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_DISTRIBUTION_CONFIG, type DistributionConfig } from '../../../core/config/index.js';
import {
  ForecastDistributionSchema,
  GAUSSIAN,
  scoreForecasts,
  unitFamily,
} from '../../../core/distribution/index.js';
import type { Candle } from '../../../core/market/index.js';
import { DistributionMetricsSchema } from '../../../core/metrics/index.js';
import {
  DistributionFitError,
  fitDistribution,
  type WindowSplit,
} from '../../../training-image/src/distribution/fit.js';
import { unitDraws } from '../../core/distribution/synthetic.js';

const HOUR = 3_600_000;
const WINDOW = 48;

/**
 * Hourly candles whose next return is a unit-variance Student-t (nu 4) times a volatility that
 * follows the hour of day (1.7x from trough to peak, as on BTC): B1 cannot know the hour, a
 * correction that reads it can.
 */
function candles(count: number, seed: number): Candle[] {
  const z = unitDraws({ name: 'student_t', nu: 4 }, count, seed);
  const out: Candle[] = [];
  let close = 30_000;
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i += 1) {
    const openTime = start + i * HOUR;
    const hour = (openTime / HOUR) % 24;
    const sigma = 0.004 * Math.exp(0.27 * Math.sin((2 * Math.PI * (hour - 8)) / 24));
    const open = close;
    close = open * Math.exp(sigma * z[i]!);
    const high = Math.max(open, close) * (1 + sigma / 4);
    const low = Math.min(open, close) * (1 - sigma / 4);
    out.push({ openTime, open, high, low, close, volume: 100 + 10 * Math.sin(i) });
  }
  return out;
}

const series = candles(20_000, 3);
// Train on the first windows, calibrate on the next 4000, test on the last 5000.
const splits = {
  train: { first: WINDOW - 1, count: 10_000 },
  val: { first: series.length - 1 - 9000, count: 4000 },
  test: { first: series.length - 1 - 5000, count: 5000 },
} satisfies Record<string, WindowSplit>;

function fit(
  config: Partial<DistributionConfig>,
  overrides: Partial<Record<keyof typeof splits, WindowSplit>> = {},
) {
  return fitDistribution({
    candles: series,
    windowLength: WINDOW,
    config: { ...DEFAULT_DISTRIBUTION_CONFIG, ...config },
    ...splits,
    ...overrides,
  });
}

describe('fitDistribution', () => {
  it('fits a correction that beats B1 on held-out windows when the volatility follows the hour', () => {
    // Act
    const { spec, metrics } = fit({});
    // Assess
    ForecastDistributionSchema.parse(spec);
    DistributionMetricsSchema.parse(metrics);
    assert.equal(spec.scale.kind, 'linear');
    assert.ok(metrics.crps_skill > 0.01, `CRPS skill vs B1 ${metrics.crps_skill}`);
    assert.equal(spec.held_out?.crps_skill, metrics.crps_skill);
    assert.deepEqual(metrics.windows, { fit: 10_000, calibration: 4000, test: 5000 });
    assert.equal(metrics.b0_min_returns, 720);
  });

  it('calibrates a Gaussian on fat-tailed data to nominal 90% coverage, which it misses uncalibrated', () => {
    const { metrics } = fit({ family: GAUSSIAN });
    const before = metrics.model_uncalibrated.coverage_pct.i90;
    const after = metrics.model.coverage_pct.i90;
    assert.ok(Math.abs(after - 90) < 1, `calibrated 90%: ${after}`);
    assert.ok(Math.abs(after - 90) < Math.abs(before - 90), `before ${before}, after ${after}`);
    assert.ok(Math.abs(metrics.model.coverage_pct.i95 - 95) < 1, `${metrics.model.coverage_pct.i95}`);
  });

  it('is B1 exactly when nothing is fitted: Gaussian, B1 scale, no calibration, naive location', () => {
    const { spec, metrics } = fit({ family: GAUSSIAN, scale: 'b1', calibrate: false });
    assert.deepEqual(spec.scale, { kind: 'b1' });
    assert.equal(spec.calibration, null);
    assert.deepEqual(metrics.model, metrics.b1);
    assert.equal(metrics.crps_skill, 0);
    assert.deepEqual(metrics.windows, { fit: 0, calibration: 0, test: 5000 });
  });

  it('scores the model around the point forecast it is given', () => {
    const far = { ...splits.test, mu: new Float64Array(splits.test.count).fill(0.01) };
    const { metrics } = fit({ calibrate: false }, { test: far });
    assert.ok(metrics.crps_skill < -0.5, `a 1% bias every hour must lose: ${metrics.crps_skill}`);
  });

  it('hands back the test windows exactly as it scored them', () => {
    // Prepare
    const mu = Float64Array.from({ length: splits.test.count }, (_, k) => 1e-4 * Math.sin(k));
    // Act
    const { spec, metrics, test } = fit({}, { test: { ...splits.test, mu } });
    // Assess: rescoring the windows from the outside gives the block metrics.json carries
    assert.equal(test.first, splits.test.first);
    assert.deepEqual(test.mu, mu);
    for (let k = 0; k < 3; k += 1) {
      const last = splits.test.first + k;
      assert.equal(test.outcomes[k], Math.log(series[last + 1]!.close / series[last]!.close));
    }
    const family = unitFamily(spec.family);
    const gaussian = unitFamily(GAUSSIAN);
    const zero = new Float64Array(splits.test.count);
    const { outcomes } = test;
    assert.deepEqual(
      scoreForecasts({ family, mu, sigma: test.sigma, outcomes, calibration: spec.calibration }),
      metrics.model,
    );
    assert.deepEqual(scoreForecasts({ family, mu, sigma: test.sigma, outcomes }), metrics.model_uncalibrated);
    assert.deepEqual(
      scoreForecasts({ family: gaussian, mu: zero, sigma: test.sigmaB0, outcomes }),
      metrics.b0,
    );
    assert.deepEqual(
      scoreForecasts({ family: gaussian, mu: zero, sigma: test.sigmaB1, outcomes }),
      metrics.b1,
    );
  });

  it('refuses windows without a next candle, and locations that do not match the windows', () => {
    assert.throws(() => fit({}, { test: { first: series.length - 1, count: 1 } }), DistributionFitError);
    assert.throws(
      () => fit({}, { test: { ...splits.test, mu: new Float64Array(3) } }),
      /3 locations for 5000 windows/,
    );
  });
});
