import type { Candle } from '../market/candle.js';
import { assertCount, assertShare } from './checks.js';
import { FEATURE_SETS, type FeatureSet } from './columns.js';
import { FeatureError, NotEnoughDataError } from './errors.js';
import { extractFeatureSet, warmupCandles } from './extended.js';
import { sliceRows } from './matrix.js';
import { fitMinMaxScaler } from './scaler.js';
import type { MinMaxScaler } from './scaler.js';
import { makeSequences, splitSequences, trainWindowCount } from './sequences.js';
import { smallestSatisfying } from './smallest.js';
import { splitByTime, trainRowCount } from './split.js';
import type { DataRange, SequenceSet, TrainingDataOptions } from './types.js';

/** Everything training needs from the candles, and the scaler to publish with the model. */
export interface TrainingData {
  /** Fitted on the training rows only; records the feature set (scaler.featureSet). */
  readonly scaler: MinMaxScaler;
  /**
   * Candles at the start that only served as look-back (warmupCandles of the set): row r of the
   * training data is candle warmupRows + r. 0 for the seed set. Code that maps windows back to
   * candles (the distribution fit) reads `candles.slice(warmupRows)`.
   */
  readonly warmupRows: number;
  /** The close column in the model input: the label, and the residual model's last-close input. */
  readonly closeIndex: number;
  readonly train: SequenceSet;
  readonly val: SequenceSet;
  /** Windows made from the test rows alone, so none of them sees a training row. */
  readonly test: SequenceSet;
  /** Feature rows (after the warm-up) that train and validate, and that test. */
  readonly trainRows: number;
  readonly testRows: number;
  /** From the first candle read (warm-up included) to the last. */
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

/**
 * The closes around each test window; window `i` starts `i` rows into the test rows, whose first row
 * is candle `firstTestCandle` (after the warm-up and the training rows).
 */
function testCloses(
  candles: readonly Candle[],
  firstTestCandle: number,
  windows: number,
  sequenceLength: number,
): TestCloses {
  const actual = new Float64Array(windows);
  const lastClose = new Float64Array(windows);
  for (let i = 0; i < windows; i++) {
    const labelRow = firstTestCandle + i + sequenceLength;
    actual[i] = candles[labelRow]!.close;
    lastClose[i] = candles[labelRow - 1]!.close;
  }
  return { actual, lastClose };
}

function assertOptions(options: TrainingDataOptions): void {
  assertCount('sequenceLength', options.sequenceLength, 1);
  assertShare('testSize', options.testSize);
  assertShare('valSize', options.valSize);
  // A plain-JS caller could pass anything; a wrong set must not fall through to seed silently.
  if (!(FEATURE_SETS as readonly unknown[]).includes(options.featureSet)) {
    throw new FeatureError(
      `featureSet must be one of ${FEATURE_SETS.join(', ')}, got ${String(options.featureSet)}`,
    );
  }
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
 * The fewest candles prepareTrainingData accepts with these options: the feature set's warm-up, then
 * enough rows for at least one training, one validation and one test window after the row split.
 */
export function minimumTrainingCandles(options: TrainingDataOptions): number {
  assertOptions(options);
  return warmupCandles(options.featureSet) + smallestSatisfying((n) => enoughCandles(n, options));
}

/**
 * Candles to training data, as the original pipeline did it: features of the configured set, less
 * the set's warm-up rows (a row whose look-back reaches before the first candle is not what serving
 * would compute, so it is not trained on); the first rows train and the rest test (splitByTime); the
 * scaler fitted on the training rows only and applied to both; windows of each part made separately;
 * the latest training windows kept for validation.
 */
export function prepareTrainingData(candles: readonly Candle[], options: TrainingDataOptions): TrainingData {
  assertOptions(options);
  const needed = minimumTrainingCandles(options);
  if (candles.length < needed) {
    throw new NotEnoughDataError({
      what: 'candles to train',
      needed,
      given: candles.length,
      hint: `feature set ${options.featureSet} (warm-up ${warmupCandles(options.featureSet)}), sequenceLength ${options.sequenceLength}, testSize ${options.testSize}, valSize ${options.valSize} need one training, one validation and one test window`,
    });
  }
  const warmup = warmupCandles(options.featureSet);
  const all = extractFeatureSet(candles, options.featureSet);
  const matrix = sliceRows(all, warmup, all.rows);
  const { train, test } = splitByTime(matrix, options.testSize);
  const scaler = fitMinMaxScaler(train);
  const width = matrix.columns.length;
  const closeIndex = scaler.columnIndex('close');
  const trainSequences = makeSequences(
    scaler.transform(train),
    train.rows,
    width,
    options.sequenceLength,
    closeIndex,
  );
  const split = splitSequences(trainSequences, options.valSize);
  const testSequences = makeSequences(
    scaler.transform(test),
    test.rows,
    width,
    options.sequenceLength,
    closeIndex,
  );
  return {
    scaler,
    warmupRows: warmup,
    closeIndex,
    train: split.train,
    val: split.val,
    test: testSequences,
    trainRows: train.rows,
    testRows: test.rows,
    dataRange: { first: all.openTimes[0]!, last: all.openTimes[all.rows - 1]! },
    testCloses: testCloses(candles, warmup + train.rows, testSequences.count, options.sequenceLength),
  };
}

/** Candles prepareWindow reads for a window of `sequenceLength` rows of `set`: the window and its warm-up. */
export function windowCandles(set: FeatureSet, sequenceLength: number): number {
  return sequenceLength + warmupCandles(set);
}

/**
 * The model input for the next close: the last `sequenceLength` candles' features of the set the
 * scaler was fitted on (not the serving configuration's: a model is fed the columns it was trained
 * on), scaled with that scaler, as a `[sequenceLength x width]` row-major Float32Array. Needs
 * windowCandles(set, sequenceLength) candles: the set's warm-up makes each row equal, bit for bit,
 * the training row of the same candle.
 */
export function prepareWindow(
  candles: readonly Candle[],
  scaler: MinMaxScaler,
  sequenceLength: number,
): Float32Array {
  assertCount('sequenceLength', sequenceLength, 1);
  const needed = windowCandles(scaler.featureSet, sequenceLength);
  if (candles.length < needed) {
    throw new NotEnoughDataError({
      what: 'candles for a prediction window',
      needed,
      given: candles.length,
      ...(needed > sequenceLength
        ? {
            hint: `${sequenceLength} rows and ${needed - sequenceLength} candles of look-back for feature set ${scaler.featureSet}`,
          }
        : {}),
    });
  }
  const features = extractFeatureSet(candles.slice(candles.length - needed), scaler.featureSet);
  return scaler.transform(sliceRows(features, needed - sequenceLength, features.rows));
}
