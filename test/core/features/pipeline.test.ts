import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import {
  CLOSE_INDEX,
  EXTENDED_FEATURE_NAMES,
  FEATURE_COUNT,
  FeatureError,
  InvalidCandleError,
  NotEnoughDataError,
  extractFeatureSet,
  extractFeatures,
  minimumTrainingCandles,
  prepareTrainingData,
  prepareWindow,
  scalerFromJsonText,
  scalerToJson,
  trainRowCount,
  windowCandles,
} from '../../../core/features/index.js';
import type { TrainingDataOptions } from '../../../core/features/index.js';
import { HOUR_MS } from '../../../core/market/candle.js';
import { MONDAY_2021_01_04, bits, risingCandles, walkCandles } from './fixtures.js';

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
    assert.equal(
      minimumTrainingCandles({ sequenceLength: 120, testSize: 0.1, valSize: 0.2, featureSet: 'seed' }),
      1201,
    );
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
    const result = prepareTrainingData(year, {
      sequenceLength: 120,
      testSize: 0.1,
      valSize: 0.2,
      featureSet: 'seed',
    });

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

describe('feature sets', () => {
  // 400 candles, windows of 24, 20% test rows, 25% of the training windows for validation.
  const OPTIONS = { sequenceLength: 24, testSize: 0.2, valSize: 0.25 } as const;
  const candles = walkCandles(400);

  it('keeps seed byte for byte what it was before feature sets: scaler.json, sequences, closes, window', () => {
    // Act
    const data = prepareTrainingData(candles, { ...OPTIONS, featureSet: 'seed' });

    // Assess: the digest the same code gave at 473c0a3, before the feature set was wired in
    const hash = createHash('sha256');
    const json = JSON.stringify(scalerToJson(data.scaler));
    hash.update(json);
    for (const set of [data.train, data.val, data.test]) {
      hash.update(new Uint8Array(set.x.buffer, set.x.byteOffset, set.x.byteLength));
      hash.update(new Uint8Array(set.y.buffer, set.y.byteOffset, set.y.byteLength));
    }
    for (const a of [data.testCloses.actual, data.testCloses.lastClose]) {
      hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    hash.update(JSON.stringify([data.trainRows, data.testRows, data.dataRange]));
    const window = prepareWindow(candles, data.scaler, 24);
    hash.update(new Uint8Array(window.buffer, window.byteOffset, window.byteLength));
    assert.equal(hash.digest('hex'), '40d5e704c173d0f1e0082390618e93813b74246bbe42f7a74eed07c763d56427');
    assert.ok(!json.includes('feature_set'), 'a seed scaler.json has no feature_set, as before');
    assert.equal(data.warmupRows, 0);
  });

  it('builds the 14 extended columns after a 23-candle warm-up, the close still the target', () => {
    // Act
    const data = prepareTrainingData(candles, { ...OPTIONS, featureSet: 'extended' });

    // Assess: rows start at candle 23; floor(377 x 0.8) = 301 train rows
    assert.equal(data.warmupRows, 23);
    assert.equal(data.trainRows, trainRowCount(400 - 23, 0.2));
    assert.equal(data.testRows, 377 - data.trainRows);
    assert.equal(data.scaler.featureSet, 'extended');
    assert.deepEqual(data.scaler.features, EXTENDED_FEATURE_NAMES);
    assert.equal(data.closeIndex, CLOSE_INDEX);
    assert.equal(data.train.featureCount, 14);
    assert.equal(data.test.featureCount, 14);
    // the first window is candles 23..46 and its label the scaled close of candle 47
    const scaled = data.scaler.transform(extractFeatureSet(candles.slice(47, 48), 'extended'));
    assert.equal(data.train.y[0], scaled[CLOSE_INDEX]);
    // the first test window's label is the candle after the warm-up, the training rows and a window
    assert.equal(data.testCloses.actual[0], candles[23 + data.trainRows + 24]!.close);
    assert.equal(data.testCloses.lastClose[0], candles[23 + data.trainRows + 23]!.close);
    // fitted on the training rows only, warm-up excluded
    const rows = extractFeatureSet(candles, 'extended');
    const volume = EXTENDED_FEATURE_NAMES.indexOf('rel_log_volume');
    let min = Infinity;
    for (let r = 23; r < 23 + data.trainRows; r += 1) min = Math.min(min, rows.data[r * 14 + volume]!);
    assert.equal(data.scaler.dataMin[volume], min);
    assert.equal(scalerToJson(data.scaler).feature_set, 'extended');
    // the data range starts at the first candle read
    assert.equal(data.dataRange.first, candles[0]!.openTime);
  });

  it('needs the warm-up on top of what seed needs', () => {
    const seed = minimumTrainingCandles({ ...OPTIONS, featureSet: 'seed' });
    const extended = minimumTrainingCandles({ ...OPTIONS, featureSet: 'extended' });
    assert.equal(extended, seed + 23);
    assert.equal(
      prepareTrainingData(candles.slice(0, extended), { ...OPTIONS, featureSet: 'extended' }).test.count,
      1,
    );
    assert.throws(
      () => prepareTrainingData(candles.slice(0, extended - 1), { ...OPTIONS, featureSet: 'extended' }),
      NotEnoughDataError,
    );
  });

  it('serves the window ending at any row with exactly the bits training computed for it', () => {
    // Prepare
    const data = prepareTrainingData(candles, { ...OPTIONS, featureSet: 'extended' });
    const L = OPTIONS.sequenceLength;
    const size = L * 14;
    const trainWindows = data.train.count + data.val.count;
    // A window's first candle: training and validation windows start at row i of the training rows,
    // test windows at row k of the test rows; rows start after the 23 warm-up candles.
    const cases = [
      { set: data.train, index: 0, first: 23 },
      { set: data.train, index: data.train.count - 1, first: 23 + data.train.count - 1 },
      { set: data.val, index: 0, first: 23 + data.train.count },
      { set: data.val, index: data.val.count - 1, first: 23 + trainWindows - 1 },
      { set: data.test, index: 0, first: 23 + data.trainRows },
      { set: data.test, index: data.test.count - 1, first: 23 + data.trainRows + data.test.count - 1 },
    ];
    for (const { set, index, first } of cases) {
      const trained = set.x.subarray(index * size, (index + 1) * size);
      const end = first + L; // one past the window's last candle

      // Act: serving sees the candles up to the window's end, all of them or just what it fetches
      const fromHistory = prepareWindow(candles.slice(0, end), data.scaler, L);
      const fetched = candles.slice(end - windowCandles('extended', L), end);
      const fromFetch = prepareWindow(fetched, data.scaler, L);

      // Assess
      assert.deepEqual(bits(fromHistory), bits(trained), `window starting at candle ${first}`);
      assert.deepEqual(bits(fromFetch), bits(trained), `window starting at candle ${first}`);
    }
  });

  it('needs the look-back before an extended window, and says so', () => {
    const { scaler } = prepareTrainingData(candles, { ...OPTIONS, featureSet: 'extended' });
    assert.equal(windowCandles('extended', 24), 47);
    assert.throws(
      () => prepareWindow(candles.slice(0, 46), scaler, 24),
      (error: unknown) =>
        error instanceof NotEnoughDataError &&
        error.needed === 47 &&
        /23 candles of look-back for feature set extended/.test(error.message),
    );
  });

  it('rejects a feature set it does not know', () => {
    const options = { ...OPTIONS, featureSet: 'everything' } as unknown as TrainingDataOptions;
    assert.throws(() => prepareTrainingData(candles, options), /featureSet must be one of seed, extended/);
  });
});
