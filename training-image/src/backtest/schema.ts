import * as z from 'zod';
import {
  DistributionScoresSchema,
  FamilySpecSchema,
  ScaleCalibrationSchema,
  ScaleKindSchema,
} from '../../../core/distribution/index.js';
import {
  BackendSummarySchema,
  DataSourceSchema,
  ForecastMetricsJsonSchema,
  NetworkSummarySchema,
} from '../../../core/metrics/index.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();
const isoTime = z.iso.datetime();

/** Open times of the first and last candle of a range, both included. */
const TimeRangeSchema = z.object({ first_open_time: isoTime, last_open_time: isoTime });

/** A forecaster's scores on the windows (DistributionScoresSchema) and its CRPS skill against B1 on them. */
export const ScoredForecasterSchema = DistributionScoresSchema.extend({
  /** 1 - CRPS / CRPS(B1); B1's own is 0. */
  crps_skill: z.number(),
});

/**
 * The simplest model that could do the served model's job: B1's scale with the CRPS-fitted linear
 * correction (calibrated as the served one is). When the served scale is that linear correction, the
 * model block already is it, and the report says so instead of repeating it.
 */
export const LinearComparatorSchema = z.discriminatedUnion('same_as_model', [
  z.object({ same_as_model: z.literal(true), note: z.string() }),
  ScoredForecasterSchema.extend({ same_as_model: z.literal(false) }),
]);

const percent = z.number().min(0).max(100);

/** Observed coverage of the central interval at `level`, in percent, for each forecaster. */
export const CoveragePointSchema = z.object({
  level: z.number().gt(0).lt(1),
  model: percent,
  model_uncalibrated: percent,
  b0: percent,
  b1: percent,
});

/**
 * The distribution of the next close on a set of forecast hours: the served model (calibrated), the
 * same before calibration, B0 and B1 on the same windows, the linear comparator, and the coverage of
 * central intervals from 10% to 95% (the calibration plot). Every figure is a mean over the windows.
 */
export const DistributionBlockSchema = z.object({
  windows: count,
  model: ScoredForecasterSchema,
  model_uncalibrated: ScoredForecasterSchema,
  b0: ScoredForecasterSchema,
  b1: ScoredForecasterSchema,
  linear: LinearComparatorSchema,
  coverage_curve: z.array(CoveragePointSchema).min(1),
});

/** One fold's block, with what was fitted: the served family, scale kind and calibration. */
export const FoldDistributionSchema = DistributionBlockSchema.extend({
  family: FamilySpecSchema,
  scale: ScaleKindSchema,
  /** Windows the scale correction was fitted on and the calibration computed on. */
  fit_windows: count,
  calibration_windows: count,
  calibration: ScaleCalibrationSchema.nullable(),
});

export const BacktestFoldSchema = z.object({
  /** 1-based, in time order. */
  fold: z.number().int().positive(),
  /** The rows the fold trained and validated on. */
  train: TimeRangeSchema.extend({ rows: count, windows: count, val_windows: count }),
  /** The rows it forecast: each is the label (the next close) of one test window. */
  test: TimeRangeSchema.extend({ windows: count }),
  training: z.object({
    epochs_run: count,
    best_epoch: count,
    stopped_early: z.boolean(),
    best_val_loss: finite,
    test_loss: finite,
    sequences_per_second: finite,
    seconds: finite,
  }),
  /** The model's forecasts beside the naive forecast "next close = last close" on the same rows. */
  metrics: ForecastMetricsJsonSchema,
  /** The distribution of the next close the product serves, measured by the hourly job's own step. */
  distribution: FoldDistributionSchema,
});

/** What `npm run backtest` prints on stdout and writes beside its chart. */
export const BacktestReportSchema = z.object({
  /** 2: the distribution blocks (per fold and overall) joined the point-forecast metrics. */
  schema_version: z.literal(2),
  kind: z.literal('walk-forward backtest'),
  pair: z.string(),
  env: z.string(),
  generated_at: isoTime,
  source: DataSourceSchema,
  backend: BackendSummarySchema,
  model: NetworkSummarySchema.omit({ target: true }),
  parameters: z.record(z.string(), z.unknown()),
  plan: TimeRangeSchema.extend({
    candles: count,
    filled_candles: count,
    folds: z.number().int().positive(),
    train_rows: count,
    /** Rows forecast by each fold; the folds' forecasts tile the end of the candles. */
    test_rows: count,
    /** Rows between a fold's training rows and its first forecast: one window. */
    context_rows: count,
  }),
  folds: z.array(BacktestFoldSchema).min(1),
  /** Every fold's forecasts pooled: one out-of-sample series over the last folds x test_rows rows. */
  overall: z.object({
    test: TimeRangeSchema.extend({ windows: count }),
    metrics: ForecastMetricsJsonSchema,
    folds_beating_naive: count,
    /** Every fold's forecast hours pooled: means over all windows (each fold keeps its own fit). */
    distribution: DistributionBlockSchema,
  }),
  seconds: finite,
});

export type BacktestFold = z.infer<typeof BacktestFoldSchema>;
export type ScoredForecaster = z.infer<typeof ScoredForecasterSchema>;
export type LinearComparator = z.infer<typeof LinearComparatorSchema>;
export type CoveragePoint = z.infer<typeof CoveragePointSchema>;
export type DistributionBlock = z.infer<typeof DistributionBlockSchema>;
export type FoldDistribution = z.infer<typeof FoldDistributionSchema>;
export type BacktestReport = z.infer<typeof BacktestReportSchema>;
