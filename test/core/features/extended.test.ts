import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  EXTENDED_FEATURE_NAMES,
  FEATURE_NAMES,
  InvalidCandleError,
  VOLUME_LOOKBACK,
  extractFeatureSet,
  extractFeatures,
  featureNames,
  warmupCandles,
} from '../../../core/features/index.js';
import { HOUR_MS, type Candle } from '../../../core/market/candle.js';

const START = Date.UTC(2024, 4, 6, 0); // 00:00 UTC

function candles(count: number): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const open = 100 + Math.sin(i);
    const close = open * (1 + 0.01 * Math.cos(i / 3));
    return {
      openTime: START + i * HOUR_MS,
      open,
      high: Math.max(open, close) * 1.002,
      low: Math.min(open, close) * 0.997,
      close,
      volume: i === 40 ? 0 : 10 + 5 * Math.sin(i / 5),
    };
  });
}

function column(
  matrix: { data: Float64Array; columns: readonly string[] },
  name: string,
  row: number,
): number {
  return matrix.data[row * matrix.columns.length + matrix.columns.indexOf(name)]!;
}

describe('feature sets', () => {
  it('keeps seed exactly the original 9 columns', () => {
    const series = candles(30);
    assert.deepEqual(featureNames('seed'), FEATURE_NAMES);
    assert.deepEqual(extractFeatureSet(series, 'seed'), extractFeatures(series));
    assert.equal(warmupCandles('seed'), 0);
  });

  it('extends the 9 columns with the hour of day and scale-free volume, range and return', () => {
    const series = candles(60);
    const matrix = extractFeatureSet(series, 'extended');
    assert.deepEqual(matrix.columns, EXTENDED_FEATURE_NAMES);
    assert.deepEqual(matrix.columns.slice(0, 9), FEATURE_NAMES);
    // Row 6 opens at 06:00 UTC: a quarter turn.
    assert.ok(Math.abs(column(matrix, 'hour_sin', 6) - 1) < 1e-12);
    assert.ok(Math.abs(column(matrix, 'hour_cos', 6)) < 1e-12);
    assert.ok(Math.abs(column(matrix, 'hour_cos', 24) - 1) < 1e-12);
    const c = series[30]!;
    assert.equal(column(matrix, 'log_range', 30), Math.log(c.high / c.low));
    assert.equal(column(matrix, 'log_return', 30), Math.log(c.close / c.open));
    const window = series.slice(30 - VOLUME_LOOKBACK + 1, 31).map((x) => x.volume);
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    assert.ok(Math.abs(column(matrix, 'rel_log_volume', 30) - Math.log(c.volume / mean)) < 1e-12);
    // A zero-volume candle (a filled gap) stays finite.
    assert.ok(Number.isFinite(column(matrix, 'rel_log_volume', 40)));
    assert.ok(column(matrix, 'rel_log_volume', 40) < -6);
  });

  it('gives serving the rows training saw when it extracts warmupCandles more candles than the window', () => {
    const series = candles(200);
    const length = 48;
    const training = extractFeatureSet(series, 'extended');
    const served = extractFeatureSet(series.slice(-(length + warmupCandles('extended'))), 'extended');
    const width = EXTENDED_FEATURE_NAMES.length;
    assert.deepEqual(
      [...served.data.subarray(served.data.length - length * width)],
      [...training.data.subarray(training.data.length - length * width)],
    );
    // One candle fewer and the window's first row differs: the warm-up is not larger than needed.
    const short = extractFeatureSet(series.slice(-(length + warmupCandles('extended') - 1)), 'extended');
    assert.notDeepEqual(
      [...short.data.subarray(short.data.length - length * width)],
      [...training.data.subarray(training.data.length - length * width)],
    );
  });
});

describe('extended columns', () => {
  const EXTRA = ['hour_sin', 'hour_cos', 'rel_log_volume', 'log_range', 'log_return'] as const;

  it('are scale-free: prices x 1000 and volumes x 7 leave them as they were', () => {
    // Prepare
    const series = candles(60);
    const scaled = series.map((c) => ({
      ...c,
      open: c.open * 1000,
      high: c.high * 1000,
      low: c.low * 1000,
      close: c.close * 1000,
      volume: c.volume * 7,
    }));

    // Act
    const a = extractFeatureSet(series, 'extended');
    const b = extractFeatureSet(scaled, 'extended');

    // Assess: equal to rounding (a product of doubles can move the last bit)
    for (let row = 0; row < 60; row += 1) {
      for (const name of EXTRA) {
        assert.ok(Math.abs(column(a, name, row) - column(b, name, row)) < 1e-12, `${name} row ${row}`);
      }
    }
  });

  it("reads the hour from the candle's open time in UTC, whatever the process's time zone", () => {
    // Prepare: a candle opening at 23:00 UTC, read in UTC and in a zone 5:45 ahead of it
    const series = candles(30).map((c, i) => ({ ...c, openTime: Date.UTC(2024, 2, 30, 23) + i * HOUR_MS }));
    const zone = process.env['TZ'];
    let kathmandu: ReturnType<typeof extractFeatureSet>;
    try {
      process.env['TZ'] = 'Asia/Kathmandu';
      kathmandu = extractFeatureSet(series, 'extended');
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
    const utc = extractFeatureSet(series, 'extended');

    // Assess
    assert.deepEqual(kathmandu.data, utc.data);
    assert.equal(column(utc, 'hour_sin', 0), Math.sin((2 * Math.PI * 23) / 24));
    assert.equal(column(utc, 'hour_cos', 0), Math.cos((2 * Math.PI * 23) / 24));
    assert.equal(column(utc, 'hour_sin', 1), 0, 'the next candle opens at 00:00 UTC');
    assert.equal(column(utc, 'hour_cos', 1), 1);
  });

  it('rejects a candle whose volume is not a finite number of at least 0; seed does not read it', () => {
    for (const volume of [Number.NaN, Infinity, -1]) {
      const series = candles(30);
      series[12] = { ...series[12]!, volume };
      assert.throws(
        () => extractFeatureSet(series, 'extended'),
        (error: unknown) => error instanceof InvalidCandleError && error.index === 12,
      );
      assert.equal(extractFeatureSet(series, 'seed').rows, 30);
    }
  });
});
