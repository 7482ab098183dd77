import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_SCALE_INPUTS,
  correctedSigma,
  scaleFromCandles,
  scaleInputNames,
} from '../../../core/distribution/index.js';
import { scaleSeries } from '../../../training-image/src/backtest/scale/series.js';
import { steadyCandles } from '../../core/distribution/synthetic.js';

describe('scaleFromCandles against the backtest series', () => {
  it('gives serving the sigma the backtest computes for the same window', () => {
    const candles = steadyCandles(900).map((c, i) => ({ ...c, volume: 10 + (i % 7) }));
    const series = scaleSeries(candles, { windowLength: 120, inputs: DEFAULT_SCALE_INPUTS });
    const names = scaleInputNames(DEFAULT_SCALE_INPUTS);
    const correction = {
      family: { name: 'gaussian' as const },
      inputs: DEFAULT_SCALE_INPUTS,
      names,
      mean: names.map(() => 0.1),
      sd: names.map(() => 2),
      weights: names.map((_, k) => 0.01 * (k + 1)),
      bias: -0.05,
    };
    // The series' last window forecasts candle 899 from candles 779 .. 898.
    const served = scaleFromCandles(candles.slice(0, 899), 120, candles[899]!.openTime, correction);
    const i = series.count - 1;
    const d = names.length;
    assert.equal(served.sigmaB1, series.sigmaB1[i]);
    assert.equal(
      served.sigma,
      correctedSigma(correction, series.inputs.subarray(i * d, (i + 1) * d), series.sigmaB1[i]!),
    );
    assert.equal(
      scaleFromCandles(candles.slice(0, 899), 120, candles[899]!.openTime, null).sigma,
      served.sigmaB1,
    );
  });
});
