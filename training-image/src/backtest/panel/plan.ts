import { trainWindowCount } from '../../../../core/features/index.js';
import type { WindowSplit } from '../../distribution/fit.js';
import { planFolds, type FoldPlan } from '../plan.js';

/**
 * One fold of the panel backtest, the same hours for every pair: it reads candle rows [start, end) of
 * each pair and nothing else. Its splits count windows in those rows (window k of a split ends at row
 * `first + k` of the slice and forecasts the row after): the training windows and then the validation
 * windows (the latest ones) come from the first `trainRows` rows, as the pipeline makes them; the test
 * windows forecast the fold's last `testRows` rows.
 */
export interface PanelFold {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly train: WindowSplit;
  readonly val: WindowSplit;
  readonly test: WindowSplit;
}

export interface PanelPlanOptions {
  /** Common hours of the panel. */
  readonly hours: number;
  readonly folds: number;
  readonly testHours: number;
  /** Candles every window reads (features.sequence_length). */
  readonly windowLength: number;
  /** features.val_size: the latest share of the training windows that validates. */
  readonly valSize: number;
}

/** The walk-forward of planFolds (every fold trains on as many rows, then forecasts the next testHours). */
export function planPanelFolds(options: PanelPlanOptions): { plan: FoldPlan; folds: PanelFold[] } {
  const { windowLength: L } = options;
  const plan = planFolds({
    candles: options.hours,
    folds: options.folds,
    testRows: options.testHours,
    testSize: 0.5,
    sequenceLength: L,
    valSize: options.valSize,
  });
  const windows = plan.trainRows - L;
  const trainCount = trainWindowCount(windows, options.valSize);
  return {
    plan,
    folds: plan.folds.map((fold) => ({
      index: fold.index,
      start: fold.start,
      end: fold.end,
      train: { first: L - 1, count: trainCount },
      val: { first: L - 1 + trainCount, count: windows - trainCount },
      test: { first: fold.testStart - fold.start - 1, count: fold.end - fold.testStart },
    })),
  };
}
