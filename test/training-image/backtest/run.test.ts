import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { HOUR_MS, validateCandles } from '../../../core/market/index.js';
import { forecastMetrics } from '../../../core/metrics/index.js';
import { runBacktest, type BacktestResult } from '../../../training-image/src/backtest/run.js';
import type { Log, LogFields } from '../../../training-image/src/log.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { hourlyCandles } from '../../support/candles-csv.js';
import { smallConfig } from '../../support/small-config.js';

describe('runBacktest', () => {
  const config = smallConfig();
  const raw = hourlyCandles(300, 5);
  const events: { event: string; fields: LogFields }[] = [];
  const log: Log = {
    info: (event, _message, fields = {}) => events.push({ event, fields }),
    warn: () => {},
    error: () => {},
  };
  let result: BacktestResult;

  before(async () => {
    const { candles, report } = validateCandles(raw, HOUR_MS, {
      gapPolicy: 'fail',
      maxFillGap: 0,
      source: 'test',
    });
    result = await runBacktest({
      config,
      pair: 'BTC/USDT',
      env: 'small',
      loaded: { candles, source: { kind: 'file', path: 'generated.csv' }, report },
      backend: await selectBackend('auto'),
      log,
      folds: 2,
      testRows: 20,
      now: () => new Date('2026-11-26T10:00:00Z'),
    });
  });

  it("lines each forecast up with its candle's close, and the naive forecast with the close before", () => {
    const index = new Map(raw.map((c, i) => [c.openTime, i]));
    assert.equal(result.forecasts.length, 2);
    for (const forecast of result.forecasts) {
      assert.equal(forecast.openTimes.length, 20);
      forecast.openTimes.forEach((t, i) => {
        const row = index.get(t)!;
        assert.equal(forecast.actual[i], raw[row]!.close);
        assert.equal(forecast.lastClose[i], raw[row - 1]!.close);
        assert.ok(Number.isFinite(forecast.predicted[i]));
      });
    }
    assert.equal(result.forecasts[1]!.openTimes.at(-1), raw.at(-1)!.openTime);
  });

  it('pools every fold’s forecasts into the overall scores', () => {
    const all = (pick: (f: BacktestResult['forecasts'][number]) => Float64Array): number[] =>
      result.forecasts.flatMap((f) => Array.from(pick(f)));
    const pooled = forecastMetrics({
      predicted: all((f) => f.predicted),
      actual: all((f) => f.actual),
      lastClose: all((f) => f.lastClose),
    });

    const overall = result.report.overall.metrics;
    assert.equal(overall.windows, 40);
    assert.equal(overall.mae, pooled.mae);
    assert.equal(overall.naive_mae, pooled.naiveMae);
    assert.equal(overall.skill, pooled.skill);
    assert.equal(overall.direction_accuracy, pooled.directionAccuracy);
  });

  it('trains each fold as the hourly job does, logging its epochs with the fold', () => {
    const epochs = events.filter((e) => e.event === 'epoch');
    assert.deepEqual(
      epochs.map((e) => [e.fields['fold'], e.fields['epoch']]),
      [
        [1, 1],
        [1, 2],
        [2, 1],
        [2, 2],
      ],
    );
    for (const fold of result.report.folds) {
      assert.equal(fold.training.epochs_run, config.training.max_epochs);
      assert.equal(fold.train.rows, 300 - 2 * 20 - config.features.sequence_length);
    }
    assert.deepEqual(result.report.parameters['training'], config.training);
    assert.equal(result.report.generated_at, '2026-11-26T10:00:00.000Z');
  });
});
