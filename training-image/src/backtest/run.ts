import type { Config, Pair } from '../../../core/config/index.js';
import { prepareTrainingData, warmupCandles } from '../../../core/features/index.js';
import type { Candle } from '../../../core/market/index.js';
import {
  forecastMetrics,
  type ForecastMetrics,
  type ForecastMetricsJson,
} from '../../../core/metrics/index.js';
import { formatDuration, type Log } from '../log.js';
import type { LoadedCandles } from '../pipeline/candles.js';
import { trainModel, type TestPrices } from '../pipeline/train-model.js';
import type { BackendInfo } from '../tf/backend.js';
import { backendSummary, networkSummary } from '../pipeline/summary.js';
import { priceBands, type PriceBand } from './bands.js';
import { measureFoldDistribution } from './fold-distribution.js';
import { planFolds } from './plan.js';
import { poolDistribution } from './pool-distribution.js';
import { BacktestReportSchema, type BacktestFold, type BacktestReport } from './schema.js';

export interface BacktestOptions {
  readonly config: Config;
  readonly pair: Pair;
  /** The configuration's name (conf/{env}), for the report. */
  readonly env: string;
  readonly loaded: LoadedCandles;
  readonly backend: BackendInfo;
  readonly log: Log;
  readonly folds: number;
  /** Rows each fold forecasts; by default features.test_size of the candles. */
  readonly testRows?: number | undefined;
  readonly now?: () => Date;
}

/** Central intervals of the next close the chart draws around the actual closes (the served 80% and 95%). */
export const FAN_LEVELS = [0.8, 0.95] as const;

/** One fold's forecasts in prices, with the open time of each forecast candle. */
export interface FoldForecast extends TestPrices {
  readonly openTimes: Float64Array;
  /** The served intervals of each forecast hour's close at FAN_LEVELS, in price. */
  readonly bands: readonly PriceBand[];
}

export interface BacktestResult {
  readonly report: BacktestReport;
  /** In fold order, for charts. */
  readonly forecasts: readonly FoldForecast[];
}

/**
 * Walk-forward backtest of the training pipeline on one pair's candles: for each fold of planFolds,
 * prepare the fold's rows as the pipeline does, train the network the hourly job would train (same
 * configuration, seed and target mode, through trainModel), forecast the fold's test rows and score
 * them beside the naive forecast. Nothing is exported or published.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const { config, pair, log, loaded } = options;
  // A feature set's warm-up candles are look-back only (prepareTrainingData drops their rows): folds
  // are planned over the candles after them, and each fold also reads the warm-up before its start.
  const warmup = warmupCandles(config.features.set);
  const candles = loaded.candles.slice(warmup);
  const now = options.now ?? (() => new Date());
  const started = performance.now();
  const plan = planFolds({
    candles: candles.length,
    folds: options.folds,
    // The default share of all the candles read, warm-up included: every feature set then forecasts
    // the same hours, and their skills compare.
    testRows: options.testRows ?? Math.round(loaded.candles.length * config.features.test_size),
    testSize: config.features.test_size,
    sequenceLength: config.features.sequence_length,
    valSize: config.features.val_size,
  });
  log.info(
    'backtest_plan',
    `${pair}: ${plan.folds.length} fold(s) over ${candles.length} candles, each training on ${plan.trainRows} rows and forecasting the ${plan.testRows} after its first window, ${plan.testRows} rows apart`,
    { pair, folds: plan.folds.length, train_rows: plan.trainRows, test_rows: plan.testRows },
  );

  const folds: BacktestFold[] = [];
  const forecasts: FoldForecast[] = [];
  for (const fold of plan.folds) {
    const t0 = performance.now();
    const label = `${pair} fold ${fold.index + 1}/${plan.folds.length}`;
    const rows = loaded.candles.slice(fold.start, warmup + fold.end);
    log.info(
      'fold',
      `${label}: training on ${rangeText(candles, fold.start, fold.trainEnd)}, forecasting ${rangeText(candles, fold.testStart, fold.end)}`,
      { pair, fold: fold.index + 1 },
    );
    const data = prepareTrainingData(rows, {
      sequenceLength: config.features.sequence_length,
      testSize: plan.testSize,
      valSize: config.features.val_size,
      featureSet: config.features.set,
    });
    if (data.trainRows !== plan.trainRows || data.test.count !== plan.testRows) {
      throw new Error(
        `${label}: the split gave ${data.trainRows} training rows and ${data.test.count} test windows, planned ${plan.trainRows} and ${plan.testRows}`,
      );
    }
    // Row r of the fold's data is candle warmupRows + r of `rows` (the extended set's look-back).
    const rowCandles = rows.slice(data.warmupRows);
    const trained = await trainModel({
      config,
      data,
      backend: options.backend,
      log,
      label,
      fields: { pair, fold: fold.index + 1 },
    });
    const { accuracy, prices } = trained.test;
    let distribution: ReturnType<typeof measureFoldDistribution>;
    try {
      // The job's own distribution step on the fold's rows, with the network it just trained.
      distribution = measureFoldDistribution({
        config,
        candles: rowCandles,
        data,
        network: trained.network,
        testForecasts: prices.predicted,
        log,
        label,
        fields: { pair, fold: fold.index + 1 },
      });
    } finally {
      trained.network.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    forecasts.push({
      ...prices,
      openTimes: Float64Array.from(rows.slice(-plan.testRows), (c) => c.openTime),
      bands: priceBands(distribution.spec, distribution.windows, prices.lastClose, FAN_LEVELS),
    });
    folds.push({
      fold: fold.index + 1,
      train: {
        ...timeRange(candles, fold.start, fold.trainEnd),
        rows: data.trainRows,
        windows: data.train.count,
        val_windows: data.val.count,
      },
      test: { ...timeRange(candles, fold.testStart, fold.end), windows: data.test.count },
      training: {
        epochs_run: trained.fit.history.length,
        best_epoch: trained.fit.bestEpoch,
        stopped_early: trained.fit.stoppedEarly,
        best_val_loss: trained.fit.bestValLoss,
        test_loss: trained.test.loss,
        sequences_per_second: trained.fit.sequencesPerSecond,
        seconds,
      },
      metrics: metricsJson(accuracy),
      distribution: distribution.report,
    });
    const d = distribution.report;
    const left = plan.folds.length - folds.length;
    const elapsed = (performance.now() - started) / 1000;
    log.info(
      'fold_done',
      `${label}: skill ${accuracy.skill.toFixed(4)} (MAE ${accuracy.mae.toFixed(2)}, naive MAE ${accuracy.naiveMae.toFixed(2)}); distribution CRPS skill vs B1 ${percentText(d.model.crps_skill)}, 90% interval covers ${d.model.coverage_pct.i90.toFixed(1)}%; took ${formatDuration(seconds)}${left > 0 ? `, about ${formatDuration((elapsed / folds.length) * left)} left` : ''}`,
      {
        pair,
        fold: fold.index + 1,
        skill: accuracy.skill,
        mae: accuracy.mae,
        naive_mae: accuracy.naiveMae,
        crps_skill: d.model.crps_skill,
        coverage_90: d.model.coverage_pct.i90,
        seconds,
      },
    );
  }

  const pooled = forecastMetrics({
    predicted: concat(forecasts.map((f) => f.predicted)),
    actual: concat(forecasts.map((f) => f.actual)),
    lastClose: concat(forecasts.map((f) => f.lastClose)),
  });
  const pooledDistribution = poolDistribution(folds.map((f) => f.distribution));
  const first = plan.folds[0]!;
  const last = plan.folds[plan.folds.length - 1]!;
  const t = config.training;
  const report = BacktestReportSchema.parse({
    schema_version: 2,
    kind: 'walk-forward backtest',
    pair,
    env: options.env,
    generated_at: now().toISOString(),
    source: loaded.source,
    backend: backendSummary(options.backend),
    // the report's schema keeps the shape and target mode (the target is in `parameters`)
    model: networkSummary(config),
    parameters: { features: config.features, training: t, market: config.market },
    plan: {
      ...timeRange(candles, 0, candles.length),
      candles: candles.length,
      filled_candles: loaded.report.filledCount,
      folds: plan.folds.length,
      train_rows: plan.trainRows,
      test_rows: plan.testRows,
      context_rows: plan.contextRows,
    },
    folds,
    overall: {
      test: { ...timeRange(candles, first.testStart, last.end), windows: pooled.windows },
      metrics: metricsJson(pooled),
      folds_beating_naive: folds.filter((f) => f.metrics.skill > 0).length,
      distribution: pooledDistribution,
    },
    seconds: (performance.now() - started) / 1000,
  });
  log.info(
    'backtest',
    `${pair}: overall skill ${pooled.skill.toFixed(4)} over ${pooled.windows} forecasts (MAE ${pooled.mae.toFixed(2)}, naive MAE ${pooled.naiveMae.toFixed(2)}, direction ${(100 * pooled.directionAccuracy).toFixed(1)}%), ${report.overall.folds_beating_naive} of ${folds.length} fold(s) beat the naive forecast; distribution CRPS ${pooledDistribution.model.crps_bp.toFixed(2)} bp vs B1 ${pooledDistribution.b1.crps_bp.toFixed(2)} bp, skill ${percentText(pooledDistribution.model.crps_skill)}, 90% interval covers ${pooledDistribution.model.coverage_pct.i90.toFixed(1)}%`,
    {
      pair,
      ...report.overall.metrics,
      folds_beating_naive: report.overall.folds_beating_naive,
      crps_skill: pooledDistribution.model.crps_skill,
      coverage_90: pooledDistribution.model.coverage_pct.i90,
    },
  );
  return { report, forecasts };
}

export function metricsJson(m: ForecastMetrics): ForecastMetricsJson {
  return {
    windows: m.windows,
    mae: m.mae,
    rmse: m.rmse,
    mape: m.mape,
    naive_mae: m.naiveMae,
    naive_rmse: m.naiveRmse,
    skill: m.skill,
    direction_accuracy: m.directionAccuracy,
  };
}

/** Open times of rows [from, to) of `candles`, `to` excluded. */
function timeRange(
  candles: readonly Candle[],
  from: number,
  to: number,
): { first_open_time: string; last_open_time: string } {
  return {
    first_open_time: new Date(candles[from]!.openTime).toISOString(),
    last_open_time: new Date(candles[to - 1]!.openTime).toISOString(),
  };
}

function rangeText(candles: readonly Candle[], from: number, to: number): string {
  const time = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  return `${to - from} rows ${time(candles[from]!.openTime)} to ${time(candles[to - 1]!.openTime)} UTC`;
}

/** A skill as a signed percentage: +0.86%. */
function percentText(skill: number): string {
  return `${skill >= 0 ? '+' : ''}${(100 * skill).toFixed(2)}%`;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
