import { assertCount, assertShare } from './checks.js';
import { FeatureError, NotEnoughDataError } from './errors.js';
import { smallestSatisfying } from './smallest.js';
import type { SequenceSet, SequenceSplit } from './types.js';

function assertScaled(scaled: Float32Array, rows: number, featureCount: number): void {
  assertCount('rows', rows, 0);
  assertCount('featureCount', featureCount, 1);
  if (scaled.length !== rows * featureCount) {
    throw new FeatureError(
      `Scaled buffer has ${scaled.length} values, expected ${rows} rows x ${featureCount} features = ${rows * featureCount}`,
    );
  }
}

/**
 * Sliding windows over scaled rows: window i is rows i .. i+L-1 and its label is the target column
 * of row i+L, so there are rows - L windows (the original's `range(len(df) - sequence_length)`).
 * Rows are row-major, so each window is one contiguous slice copied with a single `set`.
 */
export function makeSequences(
  scaled: Float32Array,
  rows: number,
  featureCount: number,
  sequenceLength: number,
  targetIndex: number,
): SequenceSet {
  assertScaled(scaled, rows, featureCount);
  assertCount('sequenceLength', sequenceLength, 1);
  if (!Number.isSafeInteger(targetIndex) || targetIndex < 0 || targetIndex >= featureCount) {
    throw new FeatureError(`targetIndex must be a column index below ${featureCount}, got ${targetIndex}`);
  }
  if (rows < sequenceLength + 1) {
    throw new NotEnoughDataError({
      what: 'rows to make windows',
      needed: sequenceLength + 1,
      given: rows,
      hint: `a window of ${sequenceLength} rows and the row after it for the label`,
    });
  }
  const count = rows - sequenceLength;
  const windowSize = sequenceLength * featureCount;
  const x = new Float32Array(count * windowSize);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    const start = i * featureCount;
    x.set(scaled.subarray(start, start + windowSize), i * windowSize);
    y[i] = scaled[start + windowSize + targetIndex]!;
  }
  return { count, sequenceLength, featureCount, x, y };
}

/**
 * Windows that train: ceil(count * (1 - valSize)), the rest validate. This is what the original's
 * loop did (a window trained while `len(train) < len(sequences) * (1 - val_size)`), in the same double
 * arithmetic: training gets the extra window when the share falls between two (7,764 windows with
 * valSize 0.2 give 6,212 training and 1,552 validation windows). scikit-learn's train_test_split
 * would round the other way (ceil for validation); models trained by the original saw this split.
 */
export function trainWindowCount(count: number, valSize: number): number {
  assertCount('count', count, 0);
  assertShare('valSize', valSize);
  return Math.min(count, Math.ceil(count * (1 - valSize)));
}

function windowsOf(set: SequenceSet, start: number, end: number): SequenceSet {
  const windowSize = set.sequenceLength * set.featureCount;
  return {
    count: end - start,
    sequenceLength: set.sequenceLength,
    featureCount: set.featureCount,
    x: set.x.subarray(start * windowSize, end * windowSize),
    y: set.y.subarray(start, end),
  };
}

/**
 * The earlier trainWindowCount(count, valSize) windows train, the latest ones validate, without
 * shuffling. Both are views of the input's buffers (no copies). Throws NotEnoughDataError when
 * validation would get no window: early stopping needs at least one.
 */
export function splitSequences(set: SequenceSet, valSize: number): SequenceSplit {
  const trainCount = trainWindowCount(set.count, valSize);
  if (set.count - trainCount < 1) {
    throw new NotEnoughDataError({
      what: 'windows to split into training and validation',
      needed: smallestSatisfying((n) => n - trainWindowCount(n, valSize) >= 1),
      given: set.count,
      hint: `valSize ${valSize} leaves no window for validation`,
    });
  }
  return { train: windowsOf(set, 0, trainCount), val: windowsOf(set, trainCount, set.count) };
}

/** Each window's value of one feature at its last step (the scaled last close, for the close column). */
export function lastStepValues(set: SequenceSet, feature: number): Float32Array {
  const { count, sequenceLength: T, featureCount: F } = set;
  const last = new Float32Array(count);
  for (let i = 0; i < count; i += 1) last[i] = set.x[(i * T + T - 1) * F + feature]!;
  return last;
}
