import { z } from 'zod';
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
});

/** What `npm run backtest` prints on stdout and writes beside its chart. */
export const BacktestReportSchema = z.object({
  schema_version: z.literal(1),
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
  }),
  seconds: finite,
});

export type BacktestFold = z.infer<typeof BacktestFoldSchema>;
export type BacktestReport = z.infer<typeof BacktestReportSchema>;
