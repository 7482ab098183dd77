import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_SCALE_INPUTS,
  scaleInputNames,
  sigmaB1,
  writeScaleInputs,
} from '../../../core/distribution/index.js';
import type { Candle } from '../../../core/market/index.js';
import { steadyCandles } from './synthetic.js';

const HOUR = 3_600_000;

function inputs(candles: readonly Candle[], last: number): Map<string, number> {
  const names = scaleInputNames(DEFAULT_SCALE_INPUTS);
  const out = new Float64Array(names.length);
  const closes = candles.slice(last - 119, last + 1).map((c) => c.close);
  writeScaleInputs(DEFAULT_SCALE_INPUTS, candles, last, sigmaB1(closes), candles[last]!.openTime + HOUR, out);
  return new Map(names.map((name, k) => [name, out[k]!]));
}

describe('writeScaleInputs', () => {
  const candles = steadyCandles(300);
  const values = inputs(candles, 200);

  it('writes the inputs in scaleInputNames order, the week left out by default', () => {
    assert.deepEqual(scaleInputNames(DEFAULT_SCALE_INPUTS), [
      ...['hour_sin1', 'hour_cos1', 'hour_sin2', 'hour_cos2', 'hour_sin3', 'hour_cos3'],
      'rel_log_volume',
      'range_over_sigma',
      'abs_return_over_sigma',
      'log_slow_over_sigma',
      'log_parkinson_over_sigma',
    ]);
  });

  it('reads the forecast hour, and ratios to sigma_B1 that are scale-free', () => {
    // Candle 200 opens at 08:00, so the forecast hour is 09:00.
    assert.ok(Math.abs(values.get('hour_sin1')! - Math.sin((2 * Math.PI * 9) / 24)) < 1e-12);
    assert.equal(values.get('rel_log_volume'), 0);
    // Every return is ±0.4%: B1, the slow volatility and |last return| all equal 0.004.
    assert.ok(Math.abs(values.get('abs_return_over_sigma')! - 1) < 1e-9);
    assert.ok(Math.abs(values.get('log_slow_over_sigma')!) < 1e-9);
    assert.ok(Math.abs(values.get('range_over_sigma')! - 0.006 / 0.004) < 1e-9);
    const parkinson = 0.006 / Math.sqrt(4 * Math.LN2);
    assert.ok(Math.abs(values.get('log_parkinson_over_sigma')! - Math.log(parkinson / 0.004)) < 1e-9);
  });

  it('reads no candle after the last closed one', () => {
    const changed = candles.map((c, i) =>
      i > 200 ? { ...c, close: c.close * 3, high: c.high * 3, volume: 1e6 } : c,
    );
    assert.deepEqual(inputs(changed, 200), values);
  });
});
