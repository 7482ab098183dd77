import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLOSE_INDEX,
  FEATURE_COUNT,
  FeatureError,
  InvalidCandleError,
  NotEnoughDataError,
  extractFeatures,
  minimumTrainingCandles,
  prepareTrainingData,
  prepareWindow,
  scalerFromJsonText,
  scalerToJson,
} from '../../../core/features/index.js';
import { HOUR_MS } from '../../../core/market/candle.js';
import { MONDAY_2021_01_04, risingCandles } from './fixtures.js';

// 40 candles: floor(40 x 0.75) = 30 train rows, 10 test rows; 27 training windows of 3,
// ceil(27 x 0.8) = 22 train and 5 validation; 10 - 3 = 7 test windows.
const SMALL = { sequenceLength: 3, testSize: 0.25, valSize: 0.2, featureSet: 'seed' } as const;
const WINDOW = SMALL.sequenceLength * FEATURE_COUNT;

/** Scaled close of a candle closing at `close`, with the scaler fitted on closes 100..129. */
function scaledClose(close: number): number {
  return Math.fround(((close - 100) / 29) * 2 - 1);
}

describe('prepareTrainingData', () => {
  const candles = risingCandles(40);
  const data = prepareTrainingData(candles, SMALL);

  it('splits rows 30 / 10 and windows 22 / 5 / 7', () => {
    assert.equal(data.trainRows, 30);
    assert.equal(data.testRows, 10);
    assert.deepEqual([data.train.count, data.val.count, data.test.count], [22, 5, 7]);
    for (const set of [data.train, data.val, data.test]) {
      assert.equal(set.sequenceLength, 3);
      assert.equal(set.featureCount, FEATURE_COUNT);
      assert.ok(set.x instanceof Float32Array);
      assert.equal(set.x.length, set.count * WINDOW);
      assert.equal(set.y.length, set.count);
    }
  });

  it('fits the scaler on the training rows only', () => {
    // Closes run 100..139; the training rows hold 100..129.
    assert.equal(data.scaler.dataMin[CLOSE_INDEX], 100);
    assert.equal(data.scaler.dataMax[CLOSE_INDEX], 129);
    for (const label of [...data.train.y, ...data.val.y]) assert.ok(label >= -1 && label <= 1);
    // So every test label lies above the fitted range and scales beyond 1.
    for (const label of data.test.y) assert.ok(label > 1, `test label ${label}`);
  });

  it('labels each window with the scaled close of the candle after it', () => {
    assert.equal(data.train.y[0], scaledClose(103)); // window of rows 0-2, label row 3
    assert.equal(data.train.y[21], scaledClose(124)); // last training window: rows 21-23, label row 24
    assert.equal(data.val.y[0], scaledClose(125)); // validation continues right after training
    assert.equal(data.val.y[4], scaledClose(129)); // and ends with the last training row as label
  });

  it('makes test windows from the test rows alone', () => {
    // The first test window starts at row 30 (close 130), not inside the training rows.
    assert.equal(data.test.x[CLOSE_INDEX], scaledClose(130));
    assert.equal(data.test.y[0], scaledClose(133));
    assert.equal(data.test.y[6], scaledClose(139));
  });

  it("gives each test window's next close and last close in prices", () => {
    // Test windows start at row 30 (close 130): the first is labelled by row 33, the last by row 39.
    assert.deepEqual([...data.testCloses.actual], [133, 134, 135, 136, 137, 138, 139]);
    assert.deepEqual([...data.testCloses.lastClose], [132, 133, 134, 135, 136, 137, 138]);
  });

  it('windows hold the same values as the scaled rows', () => {
    const scaled = data.scaler.transform(extractFeatures(candles));
    const row22 = 22 * FEATURE_COUNT;
    assert.deepEqual([...data.val.x.subarray(0, WINDOW)], [...scaled.subarray(row22, row22 + WINDOW)]);
  });

  it('reports the open times of the first and last candle', () => {
    assert.deepEqual(data.dataRange, { first: MONDAY_2021_01_04, last: MONDAY_2021_01_04 + 39 * HOUR_MS });
  });

  it('needs enough candles for one training, validation and test window', () => {
    // Prepare: 13 candles give 9 + 4 rows, 6 training windows (5 train, 1 validation) and 1 test window
    assert.equal(minimumTrainingCandles(SMALL), 13);

    // Act and assess
    assert.equal(prepareTrainingData(risingCandles(13), SMALL).test.count, 1);
    assert.throws(
      () => prepareTrainingData(risingCandles(12), SMALL),
      (error: unknown) =>
        error instanceof NotEnoughDataError &&
        error.needed === 13 &&
        error.given === 12 &&
        /candles/.test(error.message),
    );
  });

  it('knows the minimum for the production settings', () => {
    // 1,201 candles: 1,080 train rows and 121 test rows, the fewest that hold a 120-row window and its label.
    assert.equal(minimumTrainingCandles({ sequenceLength: 120, testSize: 0.1, valSize: 0.2, featureSet: 'seed' }), 1201);
  });

  it('rejects bad options before touching the candles', () => {
    assert.throws(() => prepareTrainingData(candles, { ...SMALL, testSize: 0 }), FeatureError);
    assert.throws(() => prepareTrainingData(candles, { ...SMALL, valSize: 1 }), FeatureError);
    assert.throws(() => prepareTrainingData(candles, { ...SMALL, sequenceLength: 0 }), FeatureError);
  });

  it('rejects candles out of order', () => {
    const shuffled = [...candles];
    [shuffled[5], shuffled[6]] = [candles[6]!, candles[5]!];
    assert.throws(() => prepareTrainingData(shuffled, SMALL), InvalidCandleError);
  });

  it('turns a year of hourly candles into float32 buffers of the expected sizes', () => {
    // Prepare: 8,760 hours with the production settings
    const year = risingCandles(8760, Date.UTC(2021, 2, 6, 17));

    // Act
    const result = prepareTrainingData(year, { sequenceLength: 120, testSize: 0.1, valSize: 0.2, featureSet: 'seed' });

    // Assess: floor(8760 x 0.9) = 7,884 train rows, 876 test rows; 7,764 training windows split
    // ceil(7764 x 0.8) = 6,212 / 1,552; 876 - 120 = 756 test windows; each window is 120 x 9 = 1,080 values.
    assert.equal(result.trainRows, 7884);
    assert.equal(result.testRows, 876);
    const expected = { train: 6212, val: 1552, test: 756 };
    for (const [name, count] of Object.entries(expected)) {
      const set = result[name as keyof typeof expected];
      assert.equal(set.count, count, name);
      assert.ok(set.x instanceof Float32Array && set.y instanceof Float32Array);
      assert.equal(set.x.length, count * 1080, name);
      assert.equal(set.y.length, count, name);
    }
    assert.equal(result.train.x.length, 6_708_960);
    assert.equal(result.val.x.length, 1_676_160);
    assert.equal(result.test.x.length, 816_480);
  });
});

describe('prepareWindow', () => {
  const candles = risingCandles(40);
  const { scaler } = prepareTrainingData(candles, SMALL);

  it('scales the last L candles into one [L x 9] window', () => {
    // Act
    const window = prepareWindow(candles, scaler, 3);

    // Assess: the same values as the last 3 rows of the whole history, scaled
    const all = scaler.transform(extractFeatures(candles));
    assert.ok(window instanceof Float32Array);
    assert.equal(window.length, WINDOW);
    assert.deepEqual([...window], [...all.subarray(all.length - WINDOW)]);
    assert.equal(window[2 * FEATURE_COUNT + CLOSE_INDEX], scaledClose(139));
  });

  it('gives the same window with a scaler read back from its JSON', () => {
    const restored = scalerFromJsonText(JSON.stringify(scalerToJson(scaler)));
    assert.deepEqual([...prepareWindow(candles, restored, 3)], [...prepareWindow(candles, scaler, 3)]);
  });

  it('works with exactly L candles', () => {
    assert.equal(prepareWindow(candles.slice(-3), scaler, 3).length, WINDOW);
  });

  it('needs at least L candles', () => {
    assert.throws(
      () => prepareWindow(candles.slice(0, 2), scaler, 3),
      (error: unknown) => error instanceof NotEnoughDataError && error.needed === 3 && error.given === 2,
    );
  });
});
