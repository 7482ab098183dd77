import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FeatureError,
  NotEnoughDataError,
  lastStepValues,
  makeSequences,
  splitSequences,
  trainWindowCount,
} from '../../../core/features/index.js';
import type { SequenceSet } from '../../../core/features/index.js';

/** `rows` rows of 2 features where row r is [10r, 10r + 1]: any value tells its row and column. */
function tinyScaled(rows: number): Float32Array {
  return Float32Array.from({ length: rows * 2 }, (_, i) => Math.floor(i / 2) * 10 + (i % 2));
}

/** A set of `count` one-row windows of one feature whose x and y are the window number. */
function numberedSet(count: number): SequenceSet {
  const values = Float32Array.from({ length: count }, (_, i) => i);
  return { count, sequenceLength: 1, featureCount: 1, x: values, y: values.slice() };
}

function notEnough(needed: number, given: number) {
  return (error: unknown): boolean =>
    error instanceof NotEnoughDataError &&
    error instanceof FeatureError &&
    error.name === 'NotEnoughDataError' &&
    error.needed === needed &&
    error.given === given &&
    error.message.includes(`needed at least ${needed}, given ${given}`);
}

describe('makeSequences', () => {
  it('makes rows - L windows of L rows, each labelled with the target of the row after it', () => {
    // Act: 5 rows, windows of 2 rows, target column 1
    const set = makeSequences(tinyScaled(5), 5, 2, 2, 1);

    // Assess
    assert.equal(set.count, 3);
    assert.equal(set.sequenceLength, 2);
    assert.equal(set.featureCount, 2);
    assert.deepEqual(
      [...set.x],
      [0, 1, 10, 11, /* window 1 */ 10, 11, 20, 21, /* window 2 */ 20, 21, 30, 31],
    );
    assert.deepEqual([...set.y], [21, 31, 41]);
  });

  it('returns contiguous Float32Array buffers of count x L x features and count', () => {
    const set = makeSequences(tinyScaled(10), 10, 2, 4, 0);
    assert.ok(set.x instanceof Float32Array);
    assert.ok(set.y instanceof Float32Array);
    assert.equal(set.x.length, 6 * 4 * 2);
    assert.equal(set.y.length, 6);
    assert.deepEqual([...set.y], [40, 50, 60, 70, 80, 90]);
  });

  it('copies the rows, so later changes to the scaled buffer do not reach the windows', () => {
    const scaled = tinyScaled(3);
    const set = makeSequences(scaled, 3, 2, 1, 0);
    scaled.fill(-5);
    assert.deepEqual([...set.x], [0, 1, 10, 11]);
  });

  it('makes one window from L + 1 rows', () => {
    const set = makeSequences(tinyScaled(3), 3, 2, 2, 0);
    assert.equal(set.count, 1);
    assert.deepEqual([...set.y], [20]);
  });

  it('needs at least L + 1 rows', () => {
    assert.throws(() => makeSequences(tinyScaled(2), 2, 2, 2, 0), notEnough(3, 2));
  });

  it('rejects a buffer that does not hold rows x features values', () => {
    assert.throws(() => makeSequences(tinyScaled(5), 6, 2, 2, 0), FeatureError);
  });

  it('rejects a target column outside the features', () => {
    assert.throws(() => makeSequences(tinyScaled(5), 5, 2, 2, 2), /targetIndex/);
    assert.throws(() => makeSequences(tinyScaled(5), 5, 2, 2, -1), /targetIndex/);
  });

  it('rejects a window length that is not a positive integer', () => {
    assert.throws(() => makeSequences(tinyScaled(5), 5, 2, 0, 0), /sequenceLength/);
    assert.throws(() => makeSequences(tinyScaled(5), 5, 2, 1.5, 0), /sequenceLength/);
  });
});

describe('trainWindowCount', () => {
  it('gives training ceil(count x (1 - valSize)), as the original loop did', () => {
    assert.equal(trainWindowCount(10, 0.2), 8);
    assert.equal(trainWindowCount(11, 0.2), 9); // 8.8 rounded up: training gets the extra window
    assert.equal(trainWindowCount(7764, 0.2), 6212); // 6211.2 rounded up
    assert.equal(trainWindowCount(4, 0.2), 4); // 3.2 rounded up: nothing left to validate
    assert.equal(trainWindowCount(0, 0.2), 0);
  });

  it('rejects a validation share outside (0, 1)', () => {
    assert.throws(() => trainWindowCount(10, 0), FeatureError);
    assert.throws(() => trainWindowCount(10, 1), FeatureError);
  });
});

describe('splitSequences', () => {
  it('keeps the earlier windows for training and the latest for validation', () => {
    // Act
    const { train, val } = splitSequences(numberedSet(10), 0.2);

    // Assess
    assert.equal(train.count, 8);
    assert.equal(val.count, 2);
    assert.deepEqual([...train.y], [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual([...val.y], [8, 9]);
    assert.deepEqual([...val.x], [8, 9]);
    assert.equal(train.sequenceLength, 1);
    assert.equal(val.featureCount, 1);
  });

  it('splits windows of several rows at window boundaries', () => {
    const set = makeSequences(tinyScaled(8), 8, 2, 3, 0); // 5 windows of 3 x 2
    const { train, val } = splitSequences(set, 0.4); // ceil(5 x 0.6) = 3 train, 2 val
    assert.equal(train.x.length, 3 * 3 * 2);
    assert.equal(val.x.length, 2 * 3 * 2);
    assert.deepEqual([...val.x.subarray(0, 6)], [30, 31, 40, 41, 50, 51]);
    assert.deepEqual([...val.y], [60, 70]);
  });

  it('returns views of the set buffers, not copies', () => {
    const set = numberedSet(10);
    const { train, val } = splitSequences(set, 0.2);
    assert.equal(train.x.buffer, set.x.buffer);
    assert.equal(val.y.buffer, set.y.buffer);
  });

  it('needs enough windows to leave one for validation', () => {
    // 4 windows at 0.2 all train (ceil 3.2); 5 give ceil(4) = 4 train and 1 validation.
    assert.throws(() => splitSequences(numberedSet(4), 0.2), notEnough(5, 4));
    assert.equal(splitSequences(numberedSet(5), 0.2).val.count, 1);
  });
});

describe('lastStepValues', () => {
  it("reads each window's last row of one feature", () => {
    // Rows r = [10r, 10r + 1]; windows of 3 rows: window i ends at row i + 2
    const set = makeSequences(tinyScaled(6), 6, 2, 3, 0);
    assert.deepEqual([...lastStepValues(set, 0)], [20, 30, 40]);
    assert.deepEqual([...lastStepValues(set, 1)], [21, 31, 41]);
  });
});
