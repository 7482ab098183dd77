import type { Config, Pair } from '../../../core/config/index.js';
import type { TrainingData } from '../../../core/features/index.js';
import { MetricsSchema, type DistributionMetrics, type Metrics } from '../../../core/metrics/index.js';
import type { BackendInfo } from '../tf/backend.js';
import type { LoadedCandles } from './candles.js';
import type { ParitySummary } from './parity-check.js';
import { backendSummary, networkSummary } from './summary.js';
import type { TrainedModel } from './train-model.js';

/** Everything a run has measured by the time it publishes. */
export interface MetricsInput {
  readonly config: Config;
  readonly pair: Pair;
  readonly version: string;
  readonly trainedAt: Date;
  readonly backend: BackendInfo;
  readonly loaded: LoadedCandles;
  readonly data: TrainingData;
  readonly trained: Omit<TrainedModel, 'network'>;
  /** From passGates. */
  readonly meanValTest: number;
  readonly parity: ParitySummary;
  readonly durations: Readonly<Record<string, number>>;
  /** The distribution of the next close on the test windows (fitDistribution). */
  readonly distribution?: DistributionMetrics;
}

/** metrics.json of a run, validated by its schema: what /models and /predict read back. Pure. */
export function buildMetrics(input: MetricsInput): Metrics {
  const { config, data, loaded, parity } = input;
  const { fit, test } = input.trained;
  const { accuracy } = test;
  const best = fit.history[fit.bestEpoch - 1];
  return MetricsSchema.parse({
    schema_version: 1,
    pair: input.pair,
    version: input.version,
    trained_at: input.trainedAt.toISOString(),
    backend: backendSummary(input.backend),
    model: networkSummary(config),
    parameters: {
      features: config.features,
      training: config.training,
      validation: config.validation,
      market: config.market,
    },
    data: {
      source: loaded.source,
      first_open_time: new Date(data.dataRange.first).toISOString(),
      last_open_time: new Date(data.dataRange.last).toISOString(),
      candles: loaded.candles.length,
      filled_candles: loaded.report.filledCount,
      train_rows: data.trainRows,
      test_rows: data.testRows,
      train_windows: data.train.count,
      val_windows: data.val.count,
      test_windows: data.test.count,
    },
    losses: {
      train: best?.trainLoss ?? Number.NaN,
      val: fit.bestValLoss,
      test: test.loss,
      mean_val_test: input.meanValTest,
      max_mean_loss: config.validation.max_mean_loss,
    },
    test: {
      windows: accuracy.windows,
      mae: accuracy.mae,
      rmse: accuracy.rmse,
      mape: accuracy.mape,
      naive_mae: accuracy.naiveMae,
      naive_rmse: accuracy.naiveRmse,
      skill: accuracy.skill,
      direction_accuracy: accuracy.directionAccuracy,
    },
    history: fit.history.map((e) => ({
      epoch: e.epoch,
      train_loss: e.trainLoss,
      val_loss: e.valLoss,
      seconds: e.seconds,
      sequences_per_second: e.sequencesPerSecond,
    })),
    training: {
      epochs_run: fit.history.length,
      best_epoch: fit.bestEpoch,
      stopped_early: fit.stoppedEarly,
      sequences_per_second: fit.sequencesPerSecond,
      shrink_factor: input.trained.shrinkage?.factor ?? null,
    },
    parity: {
      windows: parity.windows,
      max_abs_error: parity.maxAbsError,
      max_rel_error: parity.maxRelError,
      atol: config.conversion.atol,
      rtol: config.conversion.rtol,
    },
    durations_seconds: input.durations,
    ...(input.distribution === undefined ? {} : { distribution: input.distribution }),
  });
}
