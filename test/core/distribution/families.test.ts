import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  cdf,
  crps,
  crpsLogScaleGradient,
  logScore,
  pdf,
  quantile,
  unitFamily,
  type FamilySpec,
} from '../../../core/distribution/index.js';
import { crpsByIntegration, integrate, integrateToInfinity } from './integrate.js';

const SPECS: readonly FamilySpec[] = [
  { name: 'gaussian' },
  { name: 'student_t', nu: 2.5 },
  { name: 'student_t', nu: 4.5 },
  { name: 'student_t', nu: 30 },
];
const FORECAST = { mu: 0.0003, sigma: 0.004 };
const OUTCOMES = [-0.03, -0.006, -0.0011, 0.0003, 0.0009, 0.0042, 0.011, 0.05];

function close(actual: number, expected: number, relative: number, what: string): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(
    error <= relative,
    `${what}: ${actual} vs ${expected} (relative error ${error.toExponential(2)})`,
  );
}

for (const spec of SPECS) {
  const family = unitFamily(spec);
  const name = spec.name === 'gaussian' ? 'gaussian' : `student_t nu ${spec.nu}`;

  describe(`${name} family`, () => {
    it('has a closed-form CRPS equal to the integral of (F(x) - 1{x >= y})² to 1e-6 relative', () => {
      for (const y of OUTCOMES) {
        const expected = crpsByIntegration((x) => cdf(family, FORECAST, x), y, FORECAST.sigma);
        close(crps(family, FORECAST, y), expected, 1e-6, `CRPS at y = ${y}`);
      }
    });

    it('has a log score equal to -ln of the numerically differentiated cdf, to 1e-6 relative', () => {
      for (const y of OUTCOMES) {
        // Differentiated on the lower side (the families are symmetric), where the cdf keeps its precision.
        const lower = Math.min(y, 2 * FORECAST.mu - y);
        const h = 1e-6 * FORECAST.sigma;
        const density = (cdf(family, FORECAST, lower + h) - cdf(family, FORECAST, lower - h)) / (2 * h);
        close(logScore(family, FORECAST, y), -Math.log(density), 1e-6, `log score at y = ${y}`);
      }
    });

    it('has a density that integrates to its cdf, and to 1 with variance sigma²', () => {
      const density = (x: number): number => pdf(family, FORECAST, x);
      const { mu, sigma } = FORECAST;
      const mass =
        integrateToInfinity(density, mu, sigma) + integrateToInfinity((x) => density(2 * mu - x), mu, sigma);
      close(mass, 1, 1e-8, 'total mass');
      const fromCentre = integrate(density, FORECAST.mu, 0.0042);
      close(0.5 + fromCentre, cdf(family, FORECAST, 0.0042), 1e-9, 'cdf at 0.0042');
      if (spec.name !== 'student_t' || spec.nu > 3) {
        // The second moment of a t with nu 2.5 converges too slowly for a quadrature check.
        const variance = 2 * integrateToInfinity((x) => (x - mu) ** 2 * density(x), mu, sigma, 1e-18);
        close(variance, sigma ** 2, 1e-6, 'variance');
      }
    });

    it('has a quantile function that inverts the cdf', () => {
      for (const p of [1e-9, 0.001, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.999, 1 - 1e-9]) {
        const q = quantile(family, FORECAST, p);
        close(cdf(family, FORECAST, q), p, 1e-10, `cdf(quantile(${p}))`);
      }
      assert.equal(family.quantile(0), -Infinity);
      assert.equal(family.quantile(1), Infinity);
    });

    it('gives the derivative of CRPS in ln(sigma)', () => {
      for (const y of OUTCOMES) {
        const h = 1e-6;
        const up = crps(family, { mu: FORECAST.mu, sigma: FORECAST.sigma * Math.exp(h) }, y);
        const down = crps(family, { mu: FORECAST.mu, sigma: FORECAST.sigma * Math.exp(-h) }, y);
        const numeric = (up - down) / (2 * h);
        const analytic = crpsLogScaleGradient(family, FORECAST, y);
        assert.ok(
          Math.abs(analytic - numeric) <= 1e-7 * FORECAST.sigma,
          `gradient at ${y}: ${analytic} vs ${numeric}`,
        );
      }
    });
  });
}

describe('unitFamily', () => {
  it('knows textbook values', () => {
    close(unitFamily({ name: 'gaussian' }).quantile(0.975), 1.959963984540054, 1e-14, 'z 0.975');
    close(unitFamily({ name: 'gaussian' }).cdf(-5), 2.866515718791939e-7, 1e-13, 'Φ(-5)');
    // Standard t with 4 df: t_0.975 = 2.776445105; unit-variance scaling divides by √2.
    close(
      unitFamily({ name: 'student_t', nu: 4 }).quantile(0.975),
      2.7764451051977987 / Math.SQRT2,
      1e-12,
      't4 0.975',
    );
  });

  it('rejects degrees of freedom at or below 2', () => {
    assert.throws(() => unitFamily({ name: 'student_t', nu: 2 }), RangeError);
  });
});
