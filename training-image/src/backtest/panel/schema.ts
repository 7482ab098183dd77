import * as z from 'zod';
import { PairSchema, ScaleNetworkConfigSchema } from '../../../../core/config/index.js';
import { DistributionScoresSchema, FamilySpecSchema } from '../../../../core/distribution/index.js';
import { PANEL_MODELS, type PanelModel } from './models.js';

const ModelFiguresSchema = z.strictObject({
  scores: DistributionScoresSchema,
  /** 1 - CRPS / CRPS(B1) on the same windows. */
  crps_skill: z.number(),
});

const models = z.strictObject(
  Object.fromEntries(PANEL_MODELS.map((name) => [name, ModelFiguresSchema])) as Record<
    PanelModel,
    typeof ModelFiguresSchema
  >,
);

/** Gains in points of CRPS skill (100 x the difference of skills against B1 on the same windows). */
const GainsSchema = z.strictObject({
  /** The network over the pair's own linear correction. */
  network_over_linear: z.number(),
  /** What is served over the pair's own linear correction (what was served before the network). */
  served_over_linear: z.number(),
  /** The network over its start, the pooled linear correction: what the recurrent part itself adds. */
  network_over_pooled_linear: z.number(),
});

const PairFoldSchema = z.strictObject({
  pair: PairSchema,
  trained: z.boolean(),
  served: z.enum(['shared_network', 'linear']),
  network_val_crps_bp: z.number(),
  linear_val_crps_bp: z.number(),
  gains: GainsSchema,
});

export const PanelFoldReportSchema = z.strictObject({
  fold: z.number().int().min(1),
  test_first: z.iso.datetime(),
  test_last: z.iso.datetime(),
  network: z.strictObject({
    train_windows: z.number().int().positive(),
    val_windows: z.number().int().positive(),
    /** Per member: the epoch kept (0: the untrained network, the pooled linear correction) and the epochs run. */
    best_epochs: z.array(z.number().int().min(0)),
    epochs: z.array(z.number().int().min(0)),
    seconds: z.number().nonnegative(),
    sequences_per_second: z.number().nonnegative(),
  }),
  pairs: z.array(PairFoldSchema),
  /** Pooled over the trained pairs of this fold. */
  gains: GainsSchema,
});

export const PanelPairReportSchema = z.strictObject({
  pair: PairSchema,
  trained: z.boolean(),
  /** Folds in which the pair served the network (the rest served its linear correction). */
  network_served_folds: z.number().int().min(0),
  models,
  gains: GainsSchema,
});

export const PanelBacktestReportSchema = z.strictObject({
  kind: z.literal('panel_backtest'),
  generated_at: z.iso.datetime(),
  env: z.string(),
  pairs: z.array(PairSchema).min(1),
  /** Pairs left out of the network's training, each served by it with the pooled calibration. */
  held_out: z.array(PairSchema),
  /** Pairs whose candles failed to load, with the reason; the others ran. */
  failed: z.array(z.strictObject({ pair: PairSchema, reason: z.string() })),
  hours: z.strictObject({
    first: z.iso.datetime(),
    last: z.iso.datetime(),
    count: z.number().int().positive(),
  }),
  settings: z.strictObject({
    folds: z.number().int().positive(),
    test_hours: z.number().int().positive(),
    window_length: z.number().int().positive(),
    train_rows: z.number().int().positive(),
    family: FamilySpecSchema,
    network: ScaleNetworkConfigSchema,
    seed: z.number().int().min(0),
    backend: z.string(),
  }),
  run_seconds: z.number().nonnegative(),
  folds: z.array(PanelFoldReportSchema),
  /** Each pair over every fold. */
  per_pair: z.array(PanelPairReportSchema),
  /** Every trained pair over every fold. */
  pooled: z.strictObject({
    models,
    gains: GainsSchema,
    /** Trained pairs whose network_over_linear gain is at least 0. */
    pairs_network_not_worse: z.number().int().min(0),
    pairs_served_not_worse: z.number().int().min(0),
    trained_pairs: z.number().int().min(1),
  }),
});

export type PanelBacktestReport = z.infer<typeof PanelBacktestReportSchema>;
export type PanelGains = z.infer<typeof GainsSchema>;
