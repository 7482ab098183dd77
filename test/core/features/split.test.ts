import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FEATURE_COUNT, FeatureError, splitByTime, trainRowCount } from '../../../core/features/index.js';
import { matrixFromRows } from './fixtures.js';

/** Ten rows whose every value is the row number, so a row's origin shows in the split. */
function tenRows() {
  return matrixFromRows(Array.from({ length: 10 }, (_, r) => Array.from({ length: FEATURE_COUNT }, () => r)));
}

describe('trainRowCount', () => {
  it('floors rows x (1 - testSize), as the original int(len * (1 - test_size))', () => {
    assert.equal(trainRowCount(10, 0.1), 9);
    assert.equal(trainRowCount(10, 0.25), 7); // 7.5 floored
    assert.equal(trainRowCount(9, 0.5), 4); // 4.5 floored
    assert.equal(trainRowCount(8760, 0.1), 7884); // a year of hours
  });

  it('rounds in double arithmetic exactly as Python does', () => {
    // 1 - 0.9 is 0.09999999999999998 in doubles, so 10 rows x that is just under 1: Python's int() gives 0 too.
    assert.equal(10 * (1 - 0.9), 0.9999999999999998);
    assert.equal(trainRowCount(10, 0.9), 0);
  });

  it('rejects a test share outside (0, 1)', () => {
    for (const bad of [0, 1, -0.1, 1.5, Number.NaN]) {
      assert.throws(() => trainRowCount(10, bad), FeatureError);
    }
  });
});

describe('splitByTime', () => {
  it('keeps the first rows for training and every later row for testing, in order', () => {
    // Act
    const { train, test } = splitByTime(tenRows(), 0.25);

    // Assess: 7 + 3 rows, none dropped (the original lost the first test row)
    assert.equal(train.rows, 7);
    assert.equal(test.rows, 3);
    assert.deepEqual(
      Array.from({ length: train.rows }, (_, r) => train.data[r * FEATURE_COUNT]),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      Array.from({ length: test.rows }, (_, r) => test.data[r * FEATURE_COUNT]),
      [7, 8, 9],
    );
    assert.equal(train.data.length, 7 * FEATURE_COUNT);
    assert.equal(test.data.length, 3 * FEATURE_COUNT);
    assert.equal(test.openTimes[0], tenRows().openTimes[7]);
  });

  it('returns views of the source buffers, not copies', () => {
    const matrix = tenRows();
    const { train, test } = splitByTime(matrix, 0.1);
    assert.equal(train.data.buffer, matrix.data.buffer);
    assert.equal(test.data.buffer, matrix.data.buffer);
    assert.equal(test.openTimes.buffer, matrix.openTimes.buffer);
    assert.deepEqual(train.columns, matrix.columns);
  });

  it('rejects a matrix whose buffer does not match its row count', () => {
    const matrix = { ...tenRows(), rows: 11 };
    assert.throws(() => splitByTime(matrix, 0.1), FeatureError);
  });

  it('rejects a test share outside (0, 1)', () => {
    assert.throws(() => splitByTime(tenRows(), 1), FeatureError);
  });
});
