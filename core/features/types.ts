import type { FeatureColumn, FeatureSet } from './columns.js';

/**
 * Feature rows of consecutive candles, row-major (`rows` x `columns.length`), the columns of one
 * feature set. Float64 so that fitting the scaler sees exactly the prices the exchange sent; only
 * sequences are Float32.
 */
export interface FeatureMatrix {
  readonly rows: number;
  readonly columns: readonly FeatureColumn[];
  readonly data: Float64Array;
  /** Open time (ms, UTC) of the candle behind each row. */
  readonly openTimes: Float64Array;
}

/** Rows split in time: the first rows train, the rest test. Both are views of the source matrix. */
export interface TimeSplit {
  readonly train: FeatureMatrix;
  readonly test: FeatureMatrix;
}

/** `[low, high]` of the scaled values, as scikit-learn's `feature_range`. */
export type FeatureRange = readonly [number, number];

/**
 * Sliding windows and their labels in contiguous buffers that a tensor can wrap without copying
 * element by element: `x` is `[count, sequenceLength, featureCount]` row-major, `y` is `[count]`.
 */
export interface SequenceSet {
  readonly count: number;
  readonly sequenceLength: number;
  readonly featureCount: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/** Windows split in time: the first ones train, the latest ones validate. */
export interface SequenceSplit {
  readonly train: SequenceSet;
  readonly val: SequenceSet;
}

export interface TrainingDataOptions {
  /** Candles in one window (120 in production). */
  readonly sequenceLength: number;
  /** Share of the candle rows, taken from the end, kept for the test set. */
  readonly testSize: number;
  /** Share of the training windows, taken from the end, kept for validation. */
  readonly valSize: number;
  /** The columns to build (config features.set); the scaler records it for serving. */
  readonly featureSet: FeatureSet;
}

/** First and last candle open time (ms, UTC) of the data a model was trained and tested on. */
export interface DataRange {
  readonly first: number;
  readonly last: number;
}
