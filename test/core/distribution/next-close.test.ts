import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_SCALE_INPUTS,
  DistributionInputError,
  ForecastDistributionSchema,
  NextCloseDistributionSchema,
  SERVED_QUANTILE_KEYS,
  priceDistribution,
  b1Distribution,
  scaleInputNames,
  serveDistribution,
  sigmaB1,
  unitFamily,
  windowScale,
  writeScaleInputs,
  type ForecastDistribution,
  type ScaleCalibration,
  type ScaleCorrection,
} from '../../../core/distribution/index.js';
import { T5, studentTCalibration } from '../../support/calibration.js';
import { hourlyCandles } from '../../support/candles-csv.js';

const WINDOW = 48;
const candles = hourlyCandles(200);
const last = candles.length - 1;
const nextOpenTime = candles[last]!.openTime + 3_600_000;

const calibration = studentTCalibration(700);

function correction(weights: number[], bias: number): ScaleCorrection {
  const names = scaleInputNames(DEFAULT_SCALE_INPUTS);
  return {
    family: T5,
    inputs: DEFAULT_SCALE_INPUTS,
    names,
    mean: names.map((_, j) => 0.1 * j),
    sd: names.map((_, j) => 1 + j),
    weights,
    bias,
  };
}

function spec(overrides: Partial<ForecastDistribution>): ForecastDistribution {
  return ForecastDistributionSchema.parse({ ...b1Distribution(WINDOW), family: T5, ...overrides });
}

describe('windowScale', () => {
  it('is B1 of the last `window` closes for the b1 kind', () => {
    // Prepare
    const closes = candles.slice(last - WINDOW + 1).map((c) => c.close);
    // Act
    const { sigma, sigmaB1: base } = windowScale(spec({}), { candles, last, nextOpenTime });
    // Assess
    assert.equal(sigma, sigmaB1(closes));
    assert.equal(base, sigma);
  });

  it('equals B1 exactly when the linear correction is all zeros', () => {
    const zero = correction(new Array<number>(scaleInputNames(DEFAULT_SCALE_INPUTS).length).fill(0), 0);
    const b1 = windowScale(spec({}), { candles, last, nextOpenTime });
    const linear = windowScale(spec({ scale: { kind: 'linear', correction: zero } }), {
      candles,
      last,
      nextOpenTime,
    });
    assert.equal(linear.sigma, b1.sigma);
  });

  it('applies the correction to the inputs of the last candle and the next hour', () => {
    const d = scaleInputNames(DEFAULT_SCALE_INPUTS).length;
    const fitted = correction(
      Array.from({ length: d }, (_, j) => 0.05 * (j - 3)),
      -0.1,
    );
    const base = windowScale(spec({}), { candles, last, nextOpenTime }).sigma;
    const x = new Float64Array(d);
    const window = candles.slice(last - WINDOW + 1);
    writeScaleInputs(DEFAULT_SCALE_INPUTS, window, WINDOW - 1, base, nextOpenTime, x, 0, WINDOW);
    let eta = fitted.bias;
    for (let j = 0; j < d; j += 1) eta += (fitted.weights[j]! * (x[j]! - fitted.mean[j]!)) / fitted.sd[j]!;

    const { sigma } = windowScale(spec({ scale: { kind: 'linear', correction: fitted } }), {
      candles,
      last,
      nextOpenTime,
    });

    assert.ok(Math.abs(sigma / (base * Math.exp(eta)) - 1) < 1e-14, `${sigma} vs ${base * Math.exp(eta)}`);
    assert.notEqual(sigma, base);
  });

  it('reads only the window, so training on the whole series computes what serving computes from the window alone', () => {
    // A 12-candle window is shorter than the 24 candles the volume and range inputs look back over.
    const d = scaleInputNames(DEFAULT_SCALE_INPUTS).length;
    const fitted = correction(
      Array.from({ length: d }, () => 0.1),
      0,
    );
    const short = spec({ b1: { window: 12 }, scale: { kind: 'linear', correction: fitted } });
    const atTraining = windowScale(short, { candles, last: 150, nextOpenTime: candles[151]!.openTime });
    const atServing = windowScale(short, {
      candles: candles.slice(139, 151),
      last: 11,
      nextOpenTime: candles[151]!.openTime,
    });
    assert.equal(atTraining.sigma, atServing.sigma);
  });

  it('refuses a window shorter than B1 reads', () => {
    assert.throws(
      () => windowScale(spec({}), { candles: candles.slice(0, WINDOW - 1), last: WINDOW - 2, nextOpenTime }),
      /needs the 48 closes/,
    );
  });
});

describe('serveDistribution', () => {
  it('serves quantiles and intervals equal to a hand computation, in prices', () => {
    // Prepare: a calibrated Student-t around a point forecast 0.1% above the last close.
    const served = serveDistribution(spec({ calibration }));
    const mu = Math.log(1.001);
    const lastClose = candles[last]!.close;
    const sigma = sigmaB1(candles.slice(last - WINDOW + 1).map((c) => c.close));
    const t = unitFamily(T5);
    const hand = (p: number, multiplier: number) =>
      lastClose * Math.exp(mu + sigma * multiplier * t.quantile(p));
    // Act
    const answer = served.nextClose({ candles, last, nextOpenTime, mu });
    // Assess
    NextCloseDistributionSchema.parse(answer);
    const close = (actual: number, expected: number, what: string) =>
      assert.ok(Math.abs(actual / expected - 1) < 1e-12, `${what}: ${actual} vs ${expected}`);
    close(answer.quantiles.p05, hand(0.05, 1.07), 'p05');
    close(answer.quantiles.p10, hand(0.1, 0.97), 'p10');
    close(answer.quantiles.p25, hand(0.25, 0.93), 'p25');
    close(answer.quantiles.p50, lastClose * 1.001, 'p50');
    close(answer.quantiles.p75, hand(0.75, 0.93), 'p75');
    close(answer.quantiles.p90, hand(0.9, 0.97), 'p90');
    close(answer.quantiles.p95, hand(0.95, 1.07), 'p95');
    close(answer.intervals.i80.lower, hand(0.1, 0.97), 'i80 lower');
    close(answer.intervals.i90.upper, hand(0.95, 1.07), 'i90 upper');
    close(answer.intervals.i95.lower, hand(0.025, 1.12), 'i95 lower');
    close(answer.intervals.i95.upper, hand(0.975, 1.12), 'i95 upper');
    close(answer.scale, sigma * 1.07, 'scale');
    assert.deepEqual(answer.family, T5);
  });

  it("equals core's direct priceDistribution", () => {
    const served = serveDistribution(spec({ calibration }));
    const answer = served.nextClose({ candles, last, nextOpenTime, mu: 0.0003 });
    const direct = priceDistribution({
      family: unitFamily(T5),
      calibration,
      lastClose: candles[last]!.close,
      mu: 0.0003,
      sigma: windowScale(served.spec, { candles, last, nextOpenTime }).sigma,
    });
    direct.quantiles.forEach(({ price }, k) => {
      const key = SERVED_QUANTILE_KEYS[k]!;
      assert.ok(Math.abs(answer.quantiles[key] / price - 1) < 1e-12, key);
    });
    direct.intervals.forEach(({ lower, upper }, k) => {
      const key = (['i80', 'i90', 'i95'] as const)[k]!;
      assert.ok(Math.abs(answer.intervals[key].lower / lower - 1) < 1e-12, key);
      assert.ok(Math.abs(answer.intervals[key].upper / upper - 1) < 1e-12, key);
    });
  });

  it('serves B1 as a Gaussian with z-quantiles when nothing was fitted (a version without distribution.json)', () => {
    const answer = serveDistribution(b1Distribution(WINDOW)).nextClose({
      candles,
      last,
      nextOpenTime,
      mu: 0,
    });
    const lastClose = candles[last]!.close;
    const sigma = sigmaB1(candles.slice(last - WINDOW + 1).map((c) => c.close));
    assert.ok(
      Math.abs(answer.intervals.i90.upper / (lastClose * Math.exp(1.6448536269514722 * sigma)) - 1) < 1e-12,
    );
    assert.equal(answer.quantiles.p50, lastClose);
    assert.equal(answer.scale, sigma);
  });

  it('refuses a location that is not a finite log return', () => {
    const served = serveDistribution(spec({}));
    assert.throws(
      () => served.nextClose({ candles, last, nextOpenTime, mu: Number.NaN }),
      DistributionInputError,
    );
  });
});

describe('ForecastDistributionSchema', () => {
  it('refuses a calibration fitted for another family', () => {
    const gaussianCalibration = { ...calibration, family: { name: 'gaussian' } };
    assert.throws(() => spec({ calibration: gaussianCalibration as ScaleCalibration }), /served family/);
  });

  it('refuses the network scale an older build published, saying the scale head was removed', () => {
    // Prepare: distribution.json as builds with the per-pair scale head wrote it
    const old = { ...b1Distribution(WINDOW), scale: { kind: 'network', output: 'log_scale', shrink: 0.4 } };

    // Act
    const result = ForecastDistributionSchema.safeParse(old);

    // Assess
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error?.issues.map((issue) => issue.path.join('.')),
      ['scale.kind'],
    );
    assert.match(
      result.error?.issues[0]?.message ?? '',
      /network scale head, is no longer served: it was removed/,
    );
    assert.match(result.error?.issues[0]?.message ?? '', /republish the pair/);
  });

  it("keeps zod's own message for a scale kind that never existed", () => {
    const result = ForecastDistributionSchema.safeParse({
      ...b1Distribution(WINDOW),
      scale: { kind: 'gru' },
    });
    assert.match(result.error?.issues[0]?.message ?? '', /Expected 'b1' \| 'linear'/);
  });
});
