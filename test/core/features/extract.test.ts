import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLOSE_INDEX,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureError,
  InvalidCandleError,
  extractFeatures,
  featureIndex,
} from '../../../core/features/index.js';
import { HOUR_MS } from '../../../core/market/candle.js';
import { candle } from './fixtures.js';

const NEW_YEAR_2021 = Date.UTC(2021, 0, 1); // a Friday in ISO week 53 of 2020

describe('feature columns', () => {
  it('keeps the order trained models expect', () => {
    assert.deepEqual(FEATURE_NAMES, [
      'day_of_week',
      'day_of_month',
      'week_of_year',
      'month_of_year',
      'open',
      'high',
      'low',
      'close',
      'close_change',
    ]);
    assert.equal(FEATURE_COUNT, 9);
  });

  it('points CLOSE_INDEX at the close column', () => {
    assert.equal(CLOSE_INDEX, 7);
    assert.equal(FEATURE_NAMES[CLOSE_INDEX], 'close');
    assert.equal(featureIndex('close'), CLOSE_INDEX);
  });
});

describe('extractFeatures', () => {
  it('turns one candle into its 9 features, in column order', () => {
    // Prepare
    const candles = [candle(NEW_YEAR_2021, 100, 110, 90, 105)];

    // Act
    const matrix = extractFeatures(candles);

    // Assess
    assert.equal(matrix.rows, 1);
    assert.deepEqual(matrix.columns, FEATURE_NAMES);
    assert.deepEqual([...matrix.data], [4, 1, 53, 1, 100, 110, 90, 105, 5]);
    assert.deepEqual([...matrix.openTimes], [NEW_YEAR_2021]);
  });

  it('lays rows out row-major, one candle after the other', () => {
    // Prepare: Sunday 3 January 2021 23:00 (week 53) then Monday 00:00 (week 1)
    const sunday = Date.UTC(2021, 0, 3, 23);
    const candles = [candle(sunday, 10, 12, 9, 11), candle(sunday + HOUR_MS, 11, 11.5, 7, 8)];

    // Act
    const matrix = extractFeatures(candles);

    // Assess
    assert.ok(matrix.data instanceof Float64Array);
    assert.equal(matrix.data.length, 2 * FEATURE_COUNT);
    assert.deepEqual([...matrix.data.subarray(0, 9)], [6, 3, 53, 1, 10, 12, 9, 11, 1]);
    assert.deepEqual([...matrix.data.subarray(9, 18)], [0, 4, 1, 1, 11, 11.5, 7, 8, -3]);
    assert.deepEqual([...matrix.openTimes], [sunday, sunday + HOUR_MS]);
  });

  it('puts each value under its own column name', () => {
    const matrix = extractFeatures([candle(Date.UTC(2024, 11, 31, 23), 1, 2, 0.5, 1.5)]);
    const value = (name: (typeof FEATURE_NAMES)[number]): number | undefined =>
      matrix.data[featureIndex(name)];
    assert.equal(value('day_of_week'), 1);
    assert.equal(value('day_of_month'), 31);
    assert.equal(value('week_of_year'), 1);
    assert.equal(value('month_of_year'), 12);
    assert.equal(value('open'), 1);
    assert.equal(value('high'), 2);
    assert.equal(value('low'), 0.5);
    assert.equal(value('close'), 1.5);
    assert.equal(value('close_change'), 0.5);
  });

  it('keeps prices exact in float64 (float32 would round them)', () => {
    const matrix = extractFeatures([candle(NEW_YEAR_2021, 47755.08, 48450, 47655.01, 48250.69)]);
    assert.equal(matrix.data[featureIndex('open')], 47755.08);
    assert.equal(matrix.data[CLOSE_INDEX], 48250.69);
    assert.equal(matrix.data[featureIndex('close_change')], 48250.69 - 47755.08);
    assert.notEqual(Math.fround(48250.69), 48250.69);
  });

  it('gives an empty matrix for no candles', () => {
    const matrix = extractFeatures([]);
    assert.equal(matrix.rows, 0);
    assert.equal(matrix.data.length, 0);
    assert.equal(matrix.openTimes.length, 0);
  });

  it('rejects candles out of time order, naming the candle', () => {
    const candles = [candle(NEW_YEAR_2021 + HOUR_MS, 1, 1, 1, 1), candle(NEW_YEAR_2021, 1, 1, 1, 1)];
    assert.throws(
      () => extractFeatures(candles),
      (error: unknown) =>
        error instanceof InvalidCandleError &&
        error instanceof FeatureError &&
        error.name === 'InvalidCandleError' &&
        error.index === 1 &&
        /increasing time order/.test(error.message),
    );
  });

  it('rejects a repeated candle', () => {
    const candles = [candle(NEW_YEAR_2021, 1, 1, 1, 1), candle(NEW_YEAR_2021, 1, 1, 1, 1)];
    assert.throws(() => extractFeatures(candles), InvalidCandleError);
  });

  it('rejects a price that is not a finite number', () => {
    const candles = [candle(NEW_YEAR_2021, 1, 1, 1, 1), candle(NEW_YEAR_2021 + HOUR_MS, 1, Number.NaN, 1, 1)];
    assert.throws(
      () => extractFeatures(candles),
      (error: unknown) =>
        error instanceof InvalidCandleError && error.index === 1 && /high/.test(error.message),
    );
  });

  it('rejects an open time that is not a non-negative integer', () => {
    assert.throws(() => extractFeatures([candle(1.5, 1, 1, 1, 1)]), InvalidCandleError);
    assert.throws(() => extractFeatures([candle(-HOUR_MS, 1, 1, 1, 1)]), InvalidCandleError);
  });
});
