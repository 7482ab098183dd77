import { trainRowCount, trainWindowCount } from '../../../core/features/index.js';
import { BacktestPlanError } from './errors.js';

export interface FoldPlanOptions {
  /** Candles available, oldest first. */
  readonly candles: number;
  readonly folds: number;
  /** Rows each fold forecasts (hours, on hourly candles); by default round(candles * testSize). */
  readonly testRows?: number | undefined;
  /** features.test_size: the default share of rows forecast per fold, as the pipeline's test split. */
  readonly testSize: number;
  readonly sequenceLength: number;
  readonly valSize: number;
}

/**
 * One walk-forward step. Candle rows [start, trainEnd) train and validate as in the pipeline, rows
 * [trainEnd, testStart) are only the context of the first test window, and rows [testStart, end) are
 * forecast: each is the label of one test window.
 */
export interface Fold {
  /** 0-based. */
  readonly index: number;
  readonly start: number;
  readonly trainEnd: number;
  readonly testStart: number;
  readonly end: number;
}

export interface FoldPlan {
  readonly candles: number;
  /** Rows each fold trains (and validates) on. */
  readonly trainRows: number;
  /** Rows each fold forecasts; the folds' forecast rows tile [candles - folds * testRows, candles). */
  readonly testRows: number;
  /** Rows between a fold's training rows and its first forecast row: one window (sequence_length). */
  readonly contextRows: number;
  /** The testSize that makes prepareTrainingData keep exactly trainRows of a fold's rows for training. */
  readonly testSize: number;
  readonly folds: readonly Fold[];
}

/**
 * Plans a walk-forward backtest over `candles` rows: every fold trains on the same number of rows, then
 * forecasts the `testRows` rows that follow its first window; the next fold slides by `testRows` and
 * retrains. The pipeline builds test windows from the test rows alone (none sees a training row), so a
 * fold's test rows start one window (`sequenceLength` rows) before its first forecast; with that
 * context, the folds' forecasts tile the end of the candles without gap or overlap.
 *
 * Fold k reads rows [k * P, k * P + W + L + P) with P = testRows, L = sequenceLength and
 * W = candles - folds * P - L training rows, which must leave at least one training and one
 * validation window.
 */
export function planFolds(options: FoldPlanOptions): FoldPlan {
  const { candles, folds, sequenceLength, valSize } = options;
  assertWhole('candles', candles, 0);
  assertWhole('folds', folds, 1);
  assertWhole('sequence_length', sequenceLength, 1);
  const testRows = options.testRows ?? Math.round(candles * options.testSize);
  if (options.testRows !== undefined) assertWhole('test rows', options.testRows, 1);
  if (testRows < 1) {
    throw new BacktestPlanError(
      `${candles} candles with features.test_size ${options.testSize} leave no row to forecast; give more candles or --test-hours`,
    );
  }

  const trainRows = candles - folds * testRows - sequenceLength;
  const neededTrainRows = sequenceLength + fewestSplittableWindows(valSize);
  if (trainRows < neededTrainRows) {
    const needed = folds * testRows + sequenceLength + neededTrainRows;
    throw new BacktestPlanError(
      `walk-forward backtest needs at least ${needed} candles for ${folds} fold(s) of ${testRows} forecast rows, got ${candles}: ` +
        `each fold would train on ${Math.max(0, trainRows)} rows (${candles} - ${folds} x ${testRows} forecast - ${sequenceLength} context), ` +
        `but features.sequence_length ${sequenceLength} with features.val_size ${valSize} need ${neededTrainRows} (windows enough for validation to get one); ` +
        'give more candles, fewer --folds or a smaller --test-hours',
    );
  }

  // P / (W + L + P) can land a hair under W training rows in double arithmetic (floor(W - 1e-12) is
  // W - 1), which would shift every window by one row; half a row of margin cannot round either way.
  const rows = trainRows + sequenceLength + testRows;
  const testSize = (sequenceLength + testRows - 0.5) / rows;
  if (trainRowCount(rows, testSize) !== trainRows) {
    throw new Error(
      `planFolds: testSize ${testSize} keeps ${trainRowCount(rows, testSize)} rows, not ${trainRows}`,
    );
  }

  const plan = Array.from({ length: folds }, (_, index): Fold => {
    const start = index * testRows;
    const trainEnd = start + trainRows;
    const testStart = trainEnd + sequenceLength;
    return { index, start, trainEnd, testStart, end: testStart + testRows };
  });
  return { candles, trainRows, testRows, contextRows: sequenceLength, testSize, folds: plan };
}

/** The fewest training windows that the validation split leaves with at least one on each side. */
function fewestSplittableWindows(valSize: number): number {
  for (let n = 2; ; n++) {
    const train = trainWindowCount(n, valSize);
    if (train >= 1 && n - train >= 1) return n;
  }
}

function assertWhole(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new BacktestPlanError(`${name} must be a whole number of at least ${min}, got ${value}`);
  }
}
