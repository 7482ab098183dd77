import * as z from 'zod';
import { DataSourceSchema } from './data-source.js';

import {
  DistributionScoresSchema,
  FamilySpecSchema,
  ScaleCalibrationSchema,
  ScaleKindSchema,
  ScaleSelectionSchema,
} from '../distribution/index.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const isoTime = z.iso.datetime();

export const ForecastMetricsJsonSchema = z.object({
  windows: z.number().int().nonnegative(),
  mae: finite,
  rmse: finite,
  mape: finite,
  naive_mae: finite,
  naive_rmse: finite,
  /** 1 - mae / naive_mae; may be -Infinity only when naive_mae is 0, so not `finite`. */
  skill: z.number(),
  direction_accuracy: z.number().min(0).max(1),
});

export const EpochJsonSchema = z.object({
  epoch: z.number().int().positive(),
  train_loss: finite,
  val_loss: finite,
  seconds: finite,
  sequences_per_second: finite,
});

/** The TensorFlow.js backend a model was trained on. */
export const BackendSummarySchema = z.object({ name: z.string(), provider: z.string() });

/** The network's shape and target, as metrics.json and the backtest report record it. */
export const NetworkSummarySchema = z.object({
  sequence_length: z.number().int().positive(),
  feature_count: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  layers: z.number().int().positive(),
  target: z.string(),
  /** `level` or `residual` (training.target_mode); models from before the switch are level. */
  target_mode: z.enum(['level', 'residual']).default('level'),
});
export type NetworkSummary = z.infer<typeof NetworkSummarySchema>;

/**
 * The distribution of the next close on the test windows: the served model (calibrated when a
 * calibration was fitted) and uncalibrated, beside the volatility baselines B0 and B1 on the same
 * windows. Coverage before and after calibration: model_uncalibrated.coverage_pct, model.coverage_pct.
 */
export const DistributionMetricsSchema = z.object({
  family: FamilySpecSchema,
  scale: ScaleKindSchema,
  windows: z.object({
    /** Training windows the scale correction was fitted on (0 for B1). */
    fit: z.number().int().nonnegative(),
    /** Validation windows the calibration was fitted on (0 when not calibrated). */
    calibration: z.number().int().nonnegative(),
    test: z.number().int().positive(),
  }),
  /** Fewest past returns any test window's B0 read (720 when the candles reach back far enough). */
  b0_min_returns: z.number().int().positive(),
  model: DistributionScoresSchema,
  model_uncalibrated: DistributionScoresSchema,
  b0: DistributionScoresSchema,
  b1: DistributionScoresSchema,
  /** 1 - CRPS / CRPS(B1) of the served distribution: above 0 beats the EWMA baseline. */
  crps_skill: z.number(),
  crps_skill_uncalibrated: z.number(),
  b0_crps_skill: z.number(),
  calibration: ScaleCalibrationSchema.nullable(),
  /** The choice between the shared network and the linear correction, on validation; null: none was made. */
  selection: ScaleSelectionSchema.nullable().default(null),
});

export type DistributionMetrics = z.infer<typeof DistributionMetricsSchema>;

/** metrics.json, published beside every model and read by the API's /models and /predict. */
export const MetricsSchema = z.object({
  schema_version: z.literal(1),
  pair: z.string(),
  version: z.string(),
  trained_at: isoTime,
  backend: BackendSummarySchema,
  model: NetworkSummarySchema,
  parameters: z.record(z.string(), z.unknown()),
  data: z.object({
    source: DataSourceSchema,
    first_open_time: isoTime,
    last_open_time: isoTime,
    candles: z.number().int().nonnegative(),
    filled_candles: z.number().int().nonnegative(),
    train_rows: z.number().int().nonnegative(),
    test_rows: z.number().int().nonnegative(),
    train_windows: z.number().int().nonnegative(),
    val_windows: z.number().int().nonnegative(),
    test_windows: z.number().int().nonnegative(),
  }),
  losses: z.object({
    train: finite,
    val: finite,
    test: finite,
    /** The original's gate: mean of val and test loss must be under max_mean_loss. */
    mean_val_test: finite,
    max_mean_loss: finite,
  }),
  test: ForecastMetricsJsonSchema,
  history: z.array(EpochJsonSchema),
  training: z.object({
    epochs_run: z.number().int().nonnegative(),
    best_epoch: z.number().int().nonnegative(),
    stopped_early: z.boolean(),
    sequences_per_second: finite,
    /** Residual mode: the share of the network's predicted change kept (training.shrink_toward_naive). */
    shrink_factor: finite.nullable().default(null),
  }),
  parity: z.object({
    windows: z.number().int().nonnegative(),
    max_abs_error: finite,
    max_rel_error: finite,
    atol: finite,
    rtol: finite,
  }),
  durations_seconds: z.record(z.string(), finite),
  /** Absent from models published before the distribution was served. */
  distribution: DistributionMetricsSchema.optional(),
});

export type Metrics = z.infer<typeof MetricsSchema>;
export type ForecastMetricsJson = z.infer<typeof ForecastMetricsJsonSchema>;
