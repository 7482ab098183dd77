import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GAUSSIAN,
  ScaleCorrectionSchema,
  correctedSigma,
  fitScaleCorrection,
  minimizeLbfgs,
  unitFamily,
  type ScaleInputsSpec,
} from '../../../core/distribution/index.js';
import { uniforms, unitDraws } from './synthetic.js';

// Only the hour (one harmonic: sin, cos) and volume columns; values are made up, not from candles.
const SPEC: ScaleInputsSpec = {
  hour_harmonics: 1,
  volume: true,
  range: false,
  abs_return: false,
  week: false,
  slow_volatility: false,
  range_volatility: false,
};

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const result = minimizeLbfgs(
      (x) => {
        const [a, b] = [x[0]!, x[1]!];
        return {
          value: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
          gradient: Float64Array.of(-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)),
        };
      },
      [-1.2, 1],
      { maxIterations: 500, gradientTolerance: 1e-10 },
    );
    assert.ok(Math.abs(result.x[0]! - 1) < 1e-6 && Math.abs(result.x[1]! - 1) < 1e-6, `${result.x}`);
  });
});

describe('fitScaleCorrection', () => {
  it('recovers a known log-scale dependence when the family is right', () => {
    // Prepare: true sigma = base x exp(0.3 sin + 0.2 volume - 0.1), Gaussian outcomes.
    const n = 6000;
    const next = uniforms(5);
    const x = new Float64Array(n * 3);
    const base = new Float64Array(n);
    const z = unitDraws(GAUSSIAN, n, 6);
    const outcomes = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      const angle = 2 * Math.PI * next();
      x.set([Math.sin(angle), Math.cos(angle), next() * 2 - 1], 3 * i);
      base[i] = 0.002 + 0.004 * next();
      outcomes[i] = base[i]! * Math.exp(0.3 * x[3 * i]! + 0.2 * x[3 * i + 2]! - 0.1) * z[i]!;
    }
    // Act
    const correction = fitScaleCorrection({
      family: unitFamily(GAUSSIAN),
      inputs: SPEC,
      x,
      sigmaBase: base,
      outcomes,
      l2: 0,
    });
    // Assess: the fitted sigma tracks the true one on a few probe points.
    assert.deepEqual(correction.names, ['hour_sin1', 'hour_cos1', 'rel_log_volume']);
    for (const probe of [
      [1, 0, 0.5],
      [-1, 0, -0.5],
      [0, 1, 0],
    ]) {
      const truth = Math.exp(0.3 * probe[0]! + 0.2 * probe[2]! - 0.1);
      const fitted = correctedSigma(correction, probe, 1);
      assert.ok(Math.abs(fitted / truth - 1) < 0.05, `${probe}: ${fitted} vs ${truth}`);
    }
    assert.ok(ScaleCorrectionSchema.safeParse(correction).success);
  });

  it('is the base scale when every weight and the bias are 0', () => {
    const zero = {
      family: GAUSSIAN,
      inputs: SPEC,
      names: ['a', 'b', 'c'],
      mean: [1, 2, 3],
      sd: [1, 1, 1],
      weights: [0, 0, 0],
      bias: 0,
    };
    assert.equal(correctedSigma(ScaleCorrectionSchema.parse(zero), [5, 6, 7], 0.0042), 0.0042);
  });
});
