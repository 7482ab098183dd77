import type { Candle } from '../../../core/market/index.js';
import type { HeldOutWindows } from '../../../core/runs/heldout-hours.js';
import type { RunRecord } from '../../../core/runs/run-record.js';
import type { ForecastDistribution } from '../../../core/distribution/index.js';
import type { RunObserver } from './observer.js';

/** The held-out windows of a run and what turns them into prices: what heldOutHours reads. */
export interface HeldOutInput {
  readonly candles: readonly Candle[];
  readonly windows: HeldOutWindows;
  readonly spec: ForecastDistribution;
}

/** Parts of a record a run gives as they are, where no observer step fits (the shared scale network). */
export interface MeasuredParts {
  readonly data?: RunRecord['data'];
  readonly training?: RunRecord['training'];
  readonly figures?: RunRecord['figures'];
}

/**
 * A run's observations as plain data, kept as the run goes (a RunObserver): the parts of its record the
 * run reached, and the held-out windows. Nothing is held of the network, which the run disposes.
 */
export class RunDraft implements RunObserver {
  public data: RunRecord['data'] = null;
  public training: RunRecord['training'] = null;
  public figures: RunRecord['figures'] = {
    validation: { loss: null, mean_val_test: null },
    test: { loss: null, point: null, distribution: null },
  };
  public heldOut: HeldOutInput | null = null;

  public constructor(private readonly lossName: string) {}

  public candles: RunObserver['candles'] = (loaded, data) => {
    this.data = {
      source: loaded.source,
      first_open_time: new Date(data.dataRange.first).toISOString(),
      last_open_time: new Date(data.dataRange.last).toISOString(),
      candles: loaded.candles.length,
      filled_candles: loaded.report.filledCount,
      windows: { train: data.train.count, val: data.val.count, test: data.test.count },
    };
  };

  public trained: RunObserver['trained'] = (trained) => {
    const { fit, test } = trained;
    const { accuracy } = test;
    this.training = {
      loss: this.lossName,
      epochs: fit.history.map((e) => ({
        epoch: e.epoch,
        train_loss: e.trainLoss,
        val_loss: e.valLoss,
        seconds: e.seconds,
      })),
      best_epoch: fit.bestEpoch,
      stopped_early: fit.stoppedEarly,
    };
    this.figures = {
      validation: { loss: fit.bestValLoss, mean_val_test: (fit.bestValLoss + test.loss) / 2 },
      test: {
        ...this.figures.test,
        loss: test.loss,
        point: {
          windows: accuracy.windows,
          mae: accuracy.mae,
          rmse: accuracy.rmse,
          naive_mae: accuracy.naiveMae,
          naive_rmse: accuracy.naiveRmse,
          // -Infinity when the naive forecast made no error: JSON has no such number.
          skill: Number.isFinite(accuracy.skill) ? accuracy.skill : null,
          direction_accuracy: accuracy.directionAccuracy,
        },
      },
    };
  };

  public distribution: RunObserver['distribution'] = (fitted, candles) => {
    this.figures = { ...this.figures, test: { ...this.figures.test, distribution: fitted.metrics } };
    this.heldOut = { candles, windows: fitted.test, spec: fitted.spec };
  };

  /** Parts given as they are, over what the observer steps made of them. */
  public measured(parts: MeasuredParts): void {
    if (parts.data !== undefined) this.data = parts.data;
    if (parts.training !== undefined) this.training = parts.training;
    if (parts.figures !== undefined) this.figures = parts.figures;
  }
}
