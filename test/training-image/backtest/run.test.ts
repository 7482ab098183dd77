import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BASIS_POINTS, normalCrps, sigmaB1 } from '../../../core/distribution/index.js';
import { HOUR_MS, validateCandles, type Candle } from '../../../core/market/index.js';
import { forecastMetrics } from '../../../core/metrics/index.js';
import { runBacktest, type BacktestResult } from '../../../training-image/src/backtest/run.js';
import type { Log, LogFields } from '../../../training-image/src/log.js';
import { selectBackend } from '../../../training-image/src/tf/backend.js';
import { hourlyCandles } from '../../support/candles-csv.js';
import { smallConfig } from '../../support/small-config.js';
import type { Config } from '../../../core/config/index.js';

async function backtest(config: Config, raw: readonly Candle[], log: Log): Promise<BacktestResult> {
  const { candles, report } = validateCandles(raw, HOUR_MS, {
    gapPolicy: 'fail',
    maxFillGap: 0,
    source: 'test',
  });
  return runBacktest({
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
}

const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };
const near = (a: number, b: number, tolerance = 1e-9): boolean =>
  Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

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
    result = await backtest(config, raw, log);
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

  it('measures the served distribution in every fold with the job’s step, B1 on the fold’s own windows', () => {
    const index = new Map(raw.map((c, i) => [c.openTime, i]));
    const L = config.features.sequence_length;
    result.report.folds.forEach((fold, f) => {
      const d = fold.distribution;
      assert.equal(d.windows, 20);
      assert.equal(d.scale, config.distribution.scale);
      assert.deepEqual(d.family, config.distribution.family);
      assert.ok(d.calibration !== null && d.calibration_windows === fold.train.val_windows);
      // B1 recomputed here from the CSV's closes: a Gaussian with the EWMA sigma of the window's L closes.
      let crps = 0;
      for (const t of result.forecasts[f]!.openTimes) {
        const row = index.get(t)!;
        const sigma = sigmaB1(raw.slice(row - L, row).map((c) => c.close));
        crps += sigma * normalCrps(Math.log(raw[row]!.close / raw[row - 1]!.close) / sigma);
      }
      assert.ok(near(d.b1.crps_bp, (crps / 20) * BASIS_POINTS, 1e-9), `fold ${fold.fold}: ${d.b1.crps_bp}`);
      assert.equal(d.b1.crps_skill, 0);
      assert.ok(near(d.model.crps_skill, 1 - d.model.crps_bp / d.b1.crps_bp));
      assert.deepEqual(d.linear.same_as_model, true, 'the served scale is the linear correction');
    });
  });

  it('pools the distribution over every forecast hour: window-weighted means, skills from pooled CRPS', () => {
    const { folds, overall } = result.report;
    const pooled = overall.distribution;
    const weighted = (pick: (d: (typeof folds)[number]['distribution']) => number): number =>
      folds.reduce((sum, f) => sum + f.distribution.windows * pick(f.distribution), 0) / pooled.windows;

    assert.equal(pooled.windows, 40);
    for (const name of ['model', 'model_uncalibrated', 'b0', 'b1'] as const) {
      assert.ok(
        near(
          pooled[name].crps_bp,
          weighted((d) => d[name].crps_bp),
        ),
        name,
      );
      assert.ok(
        near(
          pooled[name].log_score,
          weighted((d) => d[name].log_score),
        ),
        name,
      );
      assert.ok(
        near(
          pooled[name].coverage_pct.i90,
          weighted((d) => d[name].coverage_pct.i90),
        ),
        name,
      );
      assert.ok(near(pooled[name].crps_skill, 1 - pooled[name].crps_bp / pooled.b1.crps_bp), name);
    }
    assert.equal(pooled.b1.crps_skill, 0);
    assert.equal(pooled.linear.same_as_model, true);
  });

  it('keeps every coverage in [0, 100], and the calibration curve agrees with the scored intervals', () => {
    const blocks = [...result.report.folds.map((f) => f.distribution), result.report.overall.distribution];
    for (const d of blocks) {
      for (const name of ['model', 'model_uncalibrated', 'b0', 'b1'] as const) {
        for (const value of Object.values(d[name].coverage_pct)) assert.ok(value >= 0 && value <= 100);
      }
      assert.deepEqual(
        d.coverage_curve.map((p) => p.level),
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
      );
      const at = (level: number) => d.coverage_curve.find((p) => p.level === level)!;
      for (const [key, level] of [
        ['i80', 0.8],
        ['i90', 0.9],
        ['i95', 0.95],
      ] as const) {
        assert.ok(near(at(level).model, d.model.coverage_pct[key]), `${key} calibrated`);
        assert.ok(near(at(level).model_uncalibrated, d.model_uncalibrated.coverage_pct[key]), key);
        assert.ok(near(at(level).b1, d.b1.coverage_pct[key]), `${key} B1`);
      }
      for (const p of d.coverage_curve) assert.ok(p.model >= 0 && p.model <= 100);
    }
  });

  it('hands the chart each hour’s served 80% and 95% intervals in price, holding what the scores say', () => {
    result.forecasts.forEach((forecast, f) => {
      const [i80, i95] = forecast.bands;
      assert.deepEqual([i80?.level, i95?.level], [0.8, 0.95]);
      let inside = 0;
      for (let k = 0; k < 20; k += 1) {
        assert.ok(
          i95!.lower[k]! < i80!.lower[k]! &&
            i80!.lower[k]! < i80!.upper[k]! &&
            i80!.upper[k]! < i95!.upper[k]!,
        );
        if (forecast.actual[k]! >= i80!.lower[k]! && forecast.actual[k]! <= i80!.upper[k]!) inside += 1;
      }
      assert.equal(5 * inside, result.report.folds[f]!.distribution.model.coverage_pct.i80);
    });
  });

  it('logs each fold’s CRPS skill and 90% coverage beside its point skill', () => {
    const done = events.filter((e) => e.event === 'fold_done');
    assert.equal(done.length, 2);
    done.forEach((e, f) => {
      const d = result.report.folds[f]!.distribution;
      assert.equal(e.fields['crps_skill'], d.model.crps_skill);
      assert.equal(e.fields['coverage_90'], d.model.coverage_pct.i90);
    });
  });
});

describe('runBacktest with the plain B1 scale served', () => {
  it('fits the linear comparator beside it, on the same windows, and pools it', async () => {
    const config = smallConfig({ distribution: { scale: 'b1' } });
    const { report } = await backtest(config, hourlyCandles(300, 5), quiet);

    for (const fold of report.folds) {
      const { linear, b1, model } = fold.distribution;
      assert.equal(fold.distribution.scale, 'b1');
      assert.equal(linear.same_as_model, false);
      if (linear.same_as_model) return;
      assert.equal(linear.windows, model.windows);
      assert.ok(near(linear.crps_skill, 1 - linear.crps_bp / b1.crps_bp));
      assert.notEqual(linear.crps_bp, model.crps_bp, 'a correction was fitted');
    }
    const pooled = report.overall.distribution.linear;
    assert.equal(pooled.same_as_model, false);
    if (pooled.same_as_model) return;
    const weighted =
      report.folds.reduce(
        (sum, f) => sum + (f.distribution.linear.same_as_model ? Number.NaN : f.distribution.linear.crps_bp),
        0,
      ) / report.folds.length;
    assert.ok(near(pooled.crps_bp, weighted));
  });
});
