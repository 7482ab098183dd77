import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainRowCount } from '../../../core/features/index.js';
import { BacktestPlanError } from '../../../training-image/src/backtest/errors.js';
import { planFolds } from '../../../training-image/src/backtest/plan.js';

const BASE = { testSize: 0.1, sequenceLength: 24, valSize: 0.2 } as const;

describe('planFolds', () => {
  it('slides every fold by the test rows and tiles the forecasts up to the last candle', () => {
    // Act
    const plan = planFolds({ ...BASE, candles: 1000, folds: 3, testRows: 100 });

    // Assess
    assert.equal(plan.trainRows, 1000 - 3 * 100 - 24);
    assert.equal(plan.contextRows, 24);
    assert.deepEqual(
      plan.folds.map((f) => [f.start, f.trainEnd, f.testStart, f.end]),
      [
        [0, 676, 700, 800],
        [100, 776, 800, 900],
        [200, 876, 900, 1000],
      ],
    );
    for (const [k, fold] of plan.folds.entries()) {
      assert.equal(fold.index, k);
      assert.equal(fold.trainEnd - fold.start, plan.trainRows, 'every fold trains on as many rows');
      assert.equal(fold.end - fold.testStart, plan.testRows);
      const next = plan.folds[k + 1];
      if (next !== undefined)
        assert.equal(next.testStart, fold.end, 'forecasts neither overlap nor leave a gap');
    }
  });

  it('defaults the forecast rows of a fold to features.test_size of the candles', () => {
    const plan = planFolds({ ...BASE, sequenceLength: 120, candles: 8760, folds: 3 });

    assert.equal(plan.testRows, 876);
    assert.equal(plan.trainRows, 8760 - 3 * 876 - 120);
    assert.equal(plan.folds.at(-1)?.end, 8760);
  });

  it('gives a testSize that keeps exactly the planned training rows, whatever the rounding', () => {
    for (let candles = 60; candles <= 3000; candles += 37) {
      for (const folds of [1, 2, 3, 5]) {
        for (const testRows of [1, 7, 10, 33]) {
          const options = { ...BASE, candles, folds, testRows, sequenceLength: 12 };
          if (candles - folds * testRows < 60) continue;
          const plan = planFolds(options);
          const rows = plan.trainRows + plan.contextRows + plan.testRows;
          assert.equal(trainRowCount(rows, plan.testSize), plan.trainRows, JSON.stringify(options));
        }
      }
    }
  });

  it('refuses too few candles, saying how many are needed and what to change', () => {
    // sequence 24 and val_size 0.2 need 29 training rows: 24 + 5 windows (the 5th goes to validation)
    const needed = 3 * 100 + 24 + 29;
    assert.equal(planFolds({ ...BASE, candles: needed, folds: 3, testRows: 100 }).trainRows, 29);

    assert.throws(
      () => planFolds({ ...BASE, candles: needed - 1, folds: 3, testRows: 100 }),
      (error: unknown) =>
        error instanceof BacktestPlanError &&
        error.message.includes(`needs at least ${needed} candles`) &&
        error.message.includes(`got ${needed - 1}`) &&
        /sequence_length 24/.test(error.message) &&
        /val_size 0\.2/.test(error.message) &&
        /--folds/.test(error.message) &&
        /--test-hours/.test(error.message),
    );
  });

  it('refuses fewer candles than the forecasts alone', () => {
    assert.throws(
      () => planFolds({ ...BASE, candles: 250, folds: 3, testRows: 100 }),
      /needs at least 353 candles .* would train on 0 rows/,
    );
  });

  it('refuses no fold, no forecast row, or a default that rounds to none', () => {
    assert.throws(() => planFolds({ ...BASE, candles: 1000, folds: 0 }), BacktestPlanError);
    assert.throws(() => planFolds({ ...BASE, candles: 1000, folds: 2.5 }), BacktestPlanError);
    assert.throws(() => planFolds({ ...BASE, candles: 1000, folds: 2, testRows: 0 }), BacktestPlanError);
    assert.throws(
      () => planFolds({ ...BASE, candles: 4, folds: 1 }),
      (error: unknown) => error instanceof BacktestPlanError && /no row to forecast/.test(error.message),
    );
  });
});
