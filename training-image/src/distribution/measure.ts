import type { Config } from '../../../core/config/index.js';
import type { TrainingData } from '../../../core/features/index.js';
import type { Candle } from '../../../core/market/index.js';
import type { Log, LogFields } from '../log.js';
import type { ForecastNetwork } from '../model/network.js';
import { predictWindows } from '../train/windows.js';
import { fitDistribution, type FittedDistribution, type WindowSplit } from './fit.js';
import { distributionSplits, splitLocations } from './splits.js';

export interface MeasureDistributionInput {
  readonly config: Config;
  /** The candles `data` was prepared from, in the same order. */
  readonly candles: readonly Candle[];
  readonly data: TrainingData;
  /** The network kept (after shrinking): its forecasts are the distribution's locations. */
  readonly network: ForecastNetwork;
  /** The network's test forecasts in prices, as trainModel scored them. */
  readonly testForecasts: ArrayLike<number>;
  readonly log: Log;
  readonly label: string;
  readonly fields?: LogFields;
}

const EVALUATION_BATCH = 256;

/**
 * The run's distribution step: the point model's locations on the validation and test windows (the
 * training windows are fitted around 0, the naive location the residual model barely moves from,
 * which spares a forward pass over every training window), then fitDistribution. Logs the test CRPS
 * skill against B1 and the 90% coverage before and after calibration.
 */
export interface MeasuredDistribution extends FittedDistribution {
  /** The windows it was fitted, calibrated and scored on, validation and test with the point model's locations. */
  readonly splits: { readonly train: WindowSplit; readonly val: WindowSplit; readonly test: WindowSplit };
}

export function measureDistribution(input: MeasureDistributionInput): MeasuredDistribution {
  const { config, candles, data, log, label } = input;
  const splits = distributionSplits(data, config.features.sequence_length);
  const valForecasts = data.scaler.inverseColumn(
    predictWindows(input.network, data.val, EVALUATION_BATCH),
    'close',
  );
  const located = {
    train: splits.train,
    val: splitLocations(splits.val, candles, valForecasts),
    test: splitLocations(splits.test, candles, input.testForecasts),
  };
  const fitted = fitDistribution({
    candles,
    windowLength: config.features.sequence_length,
    config: config.distribution,
    ...located,
  });
  const m = fitted.metrics;
  log.info(
    'distribution',
    `${label} distribution (${m.family.name}, ${m.scale} scale): test CRPS ${m.model.crps_bp.toFixed(2)} bp vs B1 ${m.b1.crps_bp.toFixed(2)} bp, skill ${(100 * m.crps_skill).toFixed(2)}%; 90% interval covers ${m.model.coverage_pct.i90.toFixed(1)}% (${m.model_uncalibrated.coverage_pct.i90.toFixed(1)}% before calibration)`,
    {
      ...input.fields,
      crps_bp: m.model.crps_bp,
      b1_crps_bp: m.b1.crps_bp,
      crps_skill: m.crps_skill,
      coverage_90: m.model.coverage_pct.i90,
      coverage_90_uncalibrated: m.model_uncalibrated.coverage_pct.i90,
    },
  );
  return { ...fitted, splits: located };
}
