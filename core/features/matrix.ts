import { describeFeatureSets, featureSetOf } from './columns.js';
import { FeatureError } from './errors.js';
import type { FeatureMatrix } from './types.js';

/** Throws a FeatureError unless the matrix's columns, buffer and row count agree with each other. */
export function assertFeatureMatrix(matrix: FeatureMatrix): void {
  if (!Number.isSafeInteger(matrix.rows) || matrix.rows < 0) {
    throw new FeatureError(`Feature matrix rows must be a non-negative integer, got ${matrix.rows}`);
  }
  if (featureSetOf(matrix.columns) === undefined) {
    throw new FeatureError(
      `Feature matrix columns must be one feature set's, in order: ${describeFeatureSets()}; got [${matrix.columns.join(', ')}]`,
    );
  }
  const width = matrix.columns.length;
  if (matrix.data.length !== matrix.rows * width) {
    throw new FeatureError(
      `Feature matrix data has ${matrix.data.length} values, expected ${matrix.rows} rows x ${width} = ${matrix.rows * width}`,
    );
  }
  if (matrix.openTimes.length !== matrix.rows) {
    throw new FeatureError(
      `Feature matrix has ${matrix.openTimes.length} open times for ${matrix.rows} rows`,
    );
  }
}

/** Rows `start` (inclusive) to `end` (exclusive) as a view: no copy, so writes show through. */
export function sliceRows(matrix: FeatureMatrix, start: number, end: number): FeatureMatrix {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end > matrix.rows
  ) {
    throw new FeatureError(`Rows ${start}..${end} are outside a matrix of ${matrix.rows} rows`);
  }
  const width = matrix.columns.length;
  return {
    rows: end - start,
    columns: matrix.columns,
    data: matrix.data.subarray(start * width, end * width),
    openTimes: matrix.openTimes.subarray(start, end),
  };
}
