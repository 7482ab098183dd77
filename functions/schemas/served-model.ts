import * as z from 'zod';
import { TrainingConfigSchema } from '../../core/config/schema.js';
import { FamilySpecSchema } from '../../core/distribution/family.js';
import { finiteOrNull, isoTime } from './common.js';

export const MetricsSummarySchema = z
  .object({
    test_mae: z.number().meta({ description: 'Mean absolute error on the test windows, in quote currency.' }),
    naive_mae: z.number().meta({ description: 'Same, for the naive forecast "next close = last close".' }),
    skill: finiteOrNull.meta({
      description: '1 - test_mae / naive_mae. Below 0, the model is worse than the naive forecast.',
    }),
    direction_accuracy: z.number().min(0).max(1),
    test_windows: z.number().int().nonnegative(),
  })
  .meta({ description: 'Accuracy of the model on its test windows, beside the naive forecast.' });

const coverage = z
  .object({ i80: z.number(), i90: z.number(), i95: z.number() })
  .meta({ description: 'Percent of held-out next closes inside each central interval (80, 90, 95%).' });

export const DistributionSummarySchema = z
  .object({
    family: FamilySpecSchema,
    scale: z.enum(['b1', 'linear', 'shared_network']).meta({
      description:
        'How the scale is made: b1, the EWMA(0.94) volatility of the window; linear, b1 x exp(a correction ' +
        'fitted on the hour of day, volume and ranges); shared_network, b1 x exp(the output of one network ' +
        "trained across every pair on each hour's return and range of the last hours, plus the linear inputs).",
    }),
    calibrated: z.boolean().meta({ description: 'Whether the intervals were calibrated on held-out hours.' }),
    selection: z
      .object({
        served: z.enum(['shared_network', 'linear']),
        network_val_crps_bp: z.number(),
        linear_val_crps_bp: z.number(),
      })
      .nullable()
      .meta({
        description:
          "Why this scale: the shared network's and the pair's linear correction's mean CRPS (bp of price) on the " +
          "pair's validation hours; the lower one is served. Null when the run trained no network.",
      }),
    network: z
      .object({
        run: z.string().meta({ description: 'The training run that made the network.' }),
        trained_on: z.array(z.string()),
        trained_on_this_pair: z.boolean().meta({
          description:
            "False: the network never saw this pair's candles; it serves it until the pair's own run.",
        }),
        calibration: z.enum(['own', 'pooled']).meta({
          description:
            "own: calibrated on this pair's validation hours; pooled: on the trained pairs' together.",
        }),
      })
      .nullable()
      .meta({ description: 'The shared network serving this distribution; null for the other scales.' }),
    measured: z
      .object({
        windows: z.number().int().positive(),
        crps_skill: z.number().meta({
          description:
            '1 - CRPS / CRPS of the standard EWMA volatility estimate (B1): above 0, a better distribution.',
        }),
        coverage_pct: coverage,
        b1_coverage_pct: coverage,
      })
      .nullable()
      .meta({
        description:
          "On the model's test hours, held out of every fit. Null for a version published before " +
          "distribution.json: it is served as B1's Gaussian, uncalibrated, and was not measured.",
      }),
  })
  .meta({ description: 'The distribution served beside the point forecast, and how well it did.' });

export const ServedModelSchema = z.object({
  version: z.string(),
  published_at: isoTime,
  trained_at: isoTime,
  sequence_length: z.number().int().positive(),
  target_mode: TrainingConfigSchema.shape.target_mode.meta({
    description:
      'What the network learnt: the close itself (level) or its change from the last close (residual).',
  }),
  skill: finiteOrNull.meta({
    description: 'metrics.skill, beside the age: how good the model is, and how old. Null when borrowed.',
  }),
  borrowed_from: z
    .object({
      pair: z.string(),
      version: z.string().meta({ description: "The other pair's version; the same as `version`." }),
    })
    .nullable()
    .meta({
      description:
        'Set when this pair has no version of its own yet (added since the last training run, or left out of ' +
        "it): it is served by the shared network of this other pair's version, with the calibration pooled " +
        'over the pairs the network was trained on (distribution.network.calibration = pooled). The point ' +
        'forecast is then the last close (no change), and metrics is null. Null for a pair served by its own version.',
    }),
  age_seconds: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Whole seconds since trained_at, when this answer was made.' }),
  stale: z.boolean().meta({
    description:
      'age_seconds > stale_after_seconds: training has not renewed the model for that many scheduled runs. ' +
      'A stale model still answers; the caller decides whether its forecast is worth having.',
  }),
  stale_after_seconds: z.number().int().positive().meta({
    description: 'serving.schedule_period_minutes x 60 x serving.stale_after_periods.',
  }),
  clock_skew: z.boolean().meta({
    description:
      "trained_at is more than a minute after this server's clock: age_seconds is reported as 0 and " +
      'the model as stale, since its age cannot be measured.',
  }),
  metrics: MetricsSummarySchema.nullable().meta({
    description:
      "The point model's test figures; null when borrowed_from is set (no point model of its own).",
  }),
  crps_skill: finiteOrNull.meta({
    description: 'distribution.measured.crps_skill, beside skill; null when not measured.',
  }),
  distribution: DistributionSummarySchema,
});
