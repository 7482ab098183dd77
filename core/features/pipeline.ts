import type { Candle } from '../market/candle.js';
import { assertCount, assertShare } from './checks.js';
import { CLOSE_INDEX, FEATURE_COUNT } from './columns.js';
import { NotEnoughDataError } from './errors.js';
import { extractFeatures } from './extract.js';
import { fitMinMaxScaler } from './scaler.js';
import type { MinMaxScaler } from './scaler.js';
import { makeSequences, splitSequences, trainWindowCount } from './sequences.js';
import { smallestSatisfying } from './smallest.js';
import { splitByTime, trainRowCount } from './split.js';
import type { DataRange, SequenceSet, TrainingDataOptions } from './types.js';

/** Everything training needs from the candles, and the scaler to publish with the model. */
export interface TrainingData {
  /** Fitted on the training rows only. */
  readonly scaler: MinMaxScaler;
  readonly train: SequenceSet;
  readonly val: SequenceSet;
  /** Windows made from the test rows alone, so none of them sees a training row. */
  readonly test: SequenceSet;
  readonly trainRows: number;
  readonly testRows: number;
  readonly dataRange: DataRange;
  /** Each test window's prices, in window order: what its forecast is scored against. */
  readonly testCloses: TestCloses;
}

/** Per test window, in price units (Float64: exactly what the exchange sent). */
export interface TestCloses {
  /** The close of the candle after the window: the value forecast. */
  readonly actual: Float64Array;
  /** The window's last close: the naive forecast "next close = last close". */
  readonly lastClose: Float64Array;
}

/** The closes around each test window; a window starts `i` rows into the test rows, which follow the training rows. */
function testCloses(
  candles: readonly Candle[],
  trainRows: number,
  windows: number,
  sequenceLength: number,
): TestCloses {
  const actual = new Float64Array(windows);
  const lastClose = new Float64Array(windows);
  for (let i = 0; i < windows; i++) {
    const labelRow = trainRows + i + sequenceLength;
    actual[i] = candles[labelRow]!.close;
    lastClose[i] = candles[labelRow - 1]!.close;
  }
  return { actual, lastClose };
}

function assertOptions(options: TrainingDataOptions): void {
  assertCount('sequenceLength', options.sequenceLength, 1);
  assertShare('testSize', options.testSize);
  assertShare('valSize', options.valSize);
}

function enoughCandles(candles: number, options: TrainingDataOptions): boolean {
  const trainRows = trainRowCount(candles, options.testSize);
  const trainWindows = trainRows - options.sequenceLength;
  const testWindows = candles - trainRows - options.sequenceLength;
  // Rounding favours training, so a few windows can leave validation with none.
  return (
    trainWindows >= 1 &&
    testWindows >= 1 &&
    trainWindows - trainWindowCount(trainWindows, options.valSize) >= 1
  );
}

/**
 * The fewest candles prepareTrainingData accepts with these options: enough for at least one
 * training, one validation and one test window after the row split.
 */
export function minimumTrainingCandles(options: TrainingDataOptions): number {
  assertOptions(options);
  return smallestSatisfying((n) => enoughCandles(n, options));
}

/**
 * Candles to training data, as the original pipeline did it: features; the first rows train and
 * the rest test (splitByTime); the scaler fitted on the training rows only and applied to both;
 * windows of each part made separately; the latest training windows kept for validation.
 */
export function prepareTrainingData(candles: readonly Candle[], options: TrainingDataOptions): TrainingData {
  assertOptions(options);
  const needed = minimumTrainingCandles(options);
  if (candles.length < needed) {
    throw new NotEnoughDataError({
      what: 'candles to train',
      needed,
      given: candles.length,
      hint: `sequenceLength ${options.sequenceLength}, testSize ${options.testSize}, valSize ${options.valSize} need one training, one validation and one test window`,
    });
  }
  const matrix = extractFeatures(candles);
  const { train, test } = splitByTime(matrix, options.testSize);
  const scaler = fitMinMaxScaler(train);
  const trainSequences = makeSequences(
    scaler.transform(train),
    train.rows,
    FEATURE_COUNT,
    options.sequenceLength,
    CLOSE_INDEX,
  );
  const split = splitSequences(trainSequences, options.valSize);
  const testSequences = makeSequences(
    scaler.transform(test),
    test.rows,
    FEATURE_COUNT,
    options.sequenceLength,
    CLOSE_INDEX,
  );
  return {
    scaler,
    train: split.train,
    val: split.val,
    test: testSequences,
    trainRows: train.rows,
    testRows: test.rows,
    dataRange: { first: matrix.openTimes[0]!, last: matrix.openTimes[matrix.rows - 1]! },
    testCloses: testCloses(candles, train.rows, testSequences.count, options.sequenceLength),
  };
}

/**
 * The model input for the next close: the last `sequenceLength` candles' features, scaled with the
 * scaler the model was trained with, as a `[sequenceLength x 9]` row-major Float32Array.
 */
export function prepareWindow(
  candles: readonly Candle[],
  scaler: MinMaxScaler,
  sequenceLength: number,
): Float32Array {
  assertCount('sequenceLength', sequenceLength, 1);
  if (candles.length < sequenceLength) {
    throw new NotEnoughDataError({
      what: 'candles for a prediction window',
      needed: sequenceLength,
      given: candles.length,
    });
  }
  return scaler.transform(extractFeatures(candles.slice(candles.length - sequenceLength)));
}
