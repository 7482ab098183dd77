import { assertCount, assertShare } from './checks.js';
import { assertFeatureMatrix, sliceRows } from './matrix.js';
import type { FeatureMatrix, TimeSplit } from './types.js';

/**
 * Rows that go to training: floor(rows * (1 - testSize)), computed in the same double arithmetic
 * as the original Python's `int(len(df) * (1 - test_size))`, so both pick the same rows even where
 * rounding bites (10 rows with testSize 0.9 give 0 training rows, because 1 - 0.9 < 0.1 in doubles).
 */
export function trainRowCount(rows: number, testSize: number): number {
  assertCount('rows', rows, 0);
  assertShare('testSize', testSize);
  return Math.floor(rows * (1 - testSize));
}

/**
 * The first trainRowCount(rows, testSize) rows train, the rest test, in time order and without
 * shuffling. Both halves are views of the input (no copies), so the split costs nothing.
 * The original dropped the first test row (`data[train_size + 1:]`), an off-by-one; this keeps it.
 */
export function splitByTime(matrix: FeatureMatrix, testSize: number): TimeSplit {
  assertFeatureMatrix(matrix);
  const trainRows = trainRowCount(matrix.rows, testSize);
  return {
    train: sliceRows(matrix, 0, trainRows),
    test: sliceRows(matrix, trainRows, matrix.rows),
  };
}
