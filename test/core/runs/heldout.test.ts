import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ForecastDistributionSchema,
  b1Distribution,
  serveDistribution,
  windowScale,
} from '../../../core/distribution/index.js';
import { HeldOutForecastsSchema } from '../../../core/runs/heldout.js';
import { coverageWords, heldOutCoverage } from '../../../core/runs/heldout-coverage.js';
import { HeldOutInputError, heldOutHours } from '../../../core/runs/heldout-hours.js';
import { T5, studentTCalibration } from '../../support/calibration.js';
import { hourlyCandles } from '../../support/candles-csv.js';

const WINDOW = 24;
const calibration = studentTCalibration(300);

describe('heldOutHours', () => {
  const candles = hourlyCandles(120);
  const spec = ForecastDistributionSchema.parse({ ...b1Distribution(WINDOW), family: T5, calibration });
  const served = serveDistribution(spec);
  const first = 60;
  const count = 40;
  // Each window's location and raw scale, as fitDistribution returns its test windows.
  const mu = Float64Array.from({ length: count }, (_, k) => (k % 3) * 1e-4 - 1e-4);
  const sigma = Float64Array.from({ length: count }, (_, k) => {
    const last = first + k;
    return windowScale(spec, { candles, last, nextOpenTime: candles[last + 1]!.openTime }).sigma;
  });

  it('gives each hour the quantiles and 95% interval /predict would have served, and the close that followed', () => {
    // Act
    const hours = heldOutHours(candles, { first, mu, sigma }, T5, calibration);

    // Assess
    assert.equal(hours.length, count);
    for (const [k, hour] of hours.entries()) {
      const last = first + k;
      const answer = served.nextClose({
        candles: candles.slice(0, last + 1),
        last,
        nextOpenTime: candles[last + 1]!.openTime,
        mu: mu[k]!,
      });
      assert.equal(hour.open_time, new Date(candles[last + 1]!.openTime).toISOString());
      assert.equal(hour.close, candles[last + 1]!.close);
      assert.equal(hour.last_close, candles[last]!.close);
      for (const key of Object.keys(answer.quantiles) as (keyof typeof answer.quantiles)[]) {
        assert.ok(
          Math.abs(hour.quantiles[key] - answer.quantiles[key]) <= 1e-9 * answer.quantiles[key],
          `${key} of hour ${k}`,
        );
      }
      assert.ok(Math.abs(hour.i95.lower - answer.intervals.i95.lower) <= 1e-9 * hour.close);
      assert.ok(Math.abs(hour.i95.upper - answer.intervals.i95.upper) <= 1e-9 * hour.close);
    }
    const parsed = HeldOutForecastsSchema.safeParse({
      schema_version: 1,
      subject: 'BTC/USDT',
      run_id: '20261126T064100Z-a1b2',
      family: T5,
      calibration,
      hours,
    });
    assert.ok(parsed.success, 'what heldout.json holds validates');
  });

  it('refuses windows that run past the candles, and scales that do not match the locations', () => {
    assert.throws(
      () =>
        heldOutHours(
          candles,
          { first: 100, mu: new Float64Array(20), sigma: new Float64Array(20) },
          T5,
          null,
        ),
      HeldOutInputError,
    );
    assert.throws(
      () => heldOutHours(candles, { first, mu: new Float64Array(3), sigma: new Float64Array(2) }, T5, null),
      /3 locations for 2 scales/,
    );
  });
});

describe('heldOutCoverage', () => {
  const hour = (close: number, at: string) => ({
    open_time: at,
    quantiles: { p05: 98, p95: 102 },
    i95: { lower: 97, upper: 103 },
    close,
  });

  it('counts the closes inside each band and lists the ones outside the 95% interval', () => {
    // Prepare: one inside both, one between the 90% and 95% bands, two outside the 95% one
    const hours = [hour(100, 'a'), hour(102.5, 'b'), hour(96, 'c'), hour(104, 'd')];

    // Act
    const coverage = heldOutCoverage(hours);

    // Assess
    assert.deepEqual(coverage, {
      hours: 4,
      inside_i90: 1,
      i90_pct: 25,
      inside_i95: 2,
      i95_pct: 50,
      outside_i95: ['c', 'd'],
    });
    assert.equal(
      coverageWords(coverage),
      'The close landed inside the 95% band in 2 of 4 held-out hours (50.0%; 95% expected); 2 fell outside, ' +
        'marked in red. Inside the 90% band (5% to 95% quantiles): 25.0%.',
    );
  });

  it('says when no close fell outside', () => {
    assert.match(coverageWords(heldOutCoverage([hour(100, 'a')])), /none fell outside\./);
  });
});
