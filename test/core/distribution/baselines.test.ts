import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MIN_SIGMA, ewmaVariance, logReturns, sigmaB0, sigmaB1 } from '../../../core/distribution/index.js';

describe('logReturns', () => {
  it('gives ln(close[i+1] / close[i])', () => {
    assert.deepEqual([...logReturns([100, 110, 99])], [Math.log(1.1), Math.log(0.9)]);
  });
});

describe('ewmaVariance', () => {
  it('runs the RiskMetrics recursion from the mean of the squared returns', () => {
    const r = [0.01, -0.02, 0.005];
    let v = (0.01 ** 2 + 0.02 ** 2 + 0.005 ** 2) / 3;
    for (const x of r) v = 0.94 * v + 0.06 * x * x;
    assert.ok(Math.abs(ewmaVariance(r) - v) <= 1e-15 * v);
  });

  it('forgets its seed within a 120-candle window (0.94^119 < 0.001)', () => {
    const returns = Array.from({ length: 1000 }, (_, i) => 0.002 * Math.sin(i) + 0.001 * Math.cos(3 * i));
    const long = ewmaVariance(returns);
    const short = ewmaVariance(returns.slice(-119));
    assert.ok(Math.abs(long - short) / long < 1e-3, `${long} vs ${short}`);
  });

  it('rejects an empty window and a lambda outside (0, 1)', () => {
    assert.throws(() => ewmaVariance([]), RangeError);
    assert.throws(() => ewmaVariance([0.1], 1), RangeError);
  });
});

describe('sigmaB1', () => {
  it('is the square root of the EWMA variance of the window returns', () => {
    const closes = [100, 101, 99.5, 100.2, 102, 101.1];
    assert.equal(sigmaB1(closes), Math.sqrt(ewmaVariance(logReturns(closes))));
  });

  it('is floored on a flat window, so no score divides by zero', () => {
    assert.equal(sigmaB1([5, 5, 5, 5]), MIN_SIGMA);
  });
});

describe('sigmaB0', () => {
  it('is the sample standard deviation (n - 1)', () => {
    assert.equal(sigmaB0([1, 2, 3, 4]), Math.sqrt(5 / 3));
  });
});
