import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GAUSSIAN,
  ScaleCalibrationSchema,
  centralInterval,
  fitScaleCalibration,
  forecastQuantile,
  scoreForecasts,
  unitFamily,
} from '../../../core/distribution/index.js';
import { unitDraws } from './synthetic.js';

// The truth: a Student-t with 4 degrees of freedom whose scale varies by window. The forecast: a
// Gaussian that knows how the scale varies but puts it 25% too low, as a CRPS-fitted scale does.
const TRUTH = { name: 'student_t', nu: 4 } as const;
const gaussian = unitFamily(GAUSSIAN);

function windows(count: number, seed: number) {
  const z = unitDraws(TRUTH, count, seed);
  const trueSigma = Float64Array.from({ length: count }, (_, i) => 0.004 * Math.exp(0.5 * Math.sin(i / 7)));
  return {
    mu: new Float64Array(count),
    sigma: trueSigma.map((s) => 0.75 * s),
    outcomes: z.map((value, i) => trueSigma[i]! * value),
  };
}

describe('fitScaleCalibration (split conformal on the scale)', () => {
  const held = windows(3000, 11);
  const fresh = windows(40_000, 12);
  const calibration = fitScaleCalibration({ family: gaussian, ...held });

  it('brings fresh windows to nominal coverage at every level', () => {
    const { coverage_pct: coverage } = scoreForecasts({ family: gaussian, ...fresh, calibration });
    assert.ok(Math.abs(coverage.i80 - 80) <= 1.5, `80%: ${coverage.i80}`);
    assert.ok(Math.abs(coverage.i90 - 90) <= 1, `90%: ${coverage.i90}`);
    assert.ok(Math.abs(coverage.i95 - 95) <= 1, `95%: ${coverage.i95}`);
  });

  it('is needed: without it the same forecasts miss nominal coverage', () => {
    const { coverage_pct: coverage } = scoreForecasts({ family: gaussian, ...fresh, calibration: null });
    assert.ok(coverage.i90 < 86, `90% uncalibrated: ${coverage.i90}`);
    assert.ok(coverage.i95 < 92, `95% uncalibrated: ${coverage.i95}`);
  });

  it('serves quantiles that are the ends of the calibrated central intervals, in order', () => {
    const predictive = { mu: 0.0002, sigma: 0.004 };
    const [low90, high90] = centralInterval(gaussian, predictive, 0.9, calibration);
    assert.equal(forecastQuantile(gaussian, predictive, 0.05, calibration), low90);
    assert.equal(forecastQuantile(gaussian, predictive, 0.95, calibration), high90);
    assert.equal(forecastQuantile(gaussian, predictive, 0.5, calibration), predictive.mu);
    const levels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];
    const quantiles = levels.map((p) => forecastQuantile(gaussian, predictive, p, calibration));
    for (let k = 1; k < quantiles.length; k += 1) assert.ok(quantiles[k]! > quantiles[k - 1]!);
  });

  it('round-trips through its JSON schema and rejects a broken one', () => {
    const parsed = ScaleCalibrationSchema.parse(JSON.parse(JSON.stringify(calibration)));
    assert.deepEqual(parsed, calibration);
    assert.equal(parsed.windows, 3000);
    assert.equal(ScaleCalibrationSchema.safeParse({ ...calibration, scale: 0 }).success, false);
  });

  it('needs the reference level among its levels', () => {
    assert.throws(() => fitScaleCalibration({ family: gaussian, ...held, levels: [0.8] }), RangeError);
  });
});
