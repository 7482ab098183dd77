import * as z from 'zod';
import { TrainingConfigSchema } from '../core/config/index.js';
import { FamilySpecSchema, NextCloseDistributionSchema } from '../core/distribution/index.js';

/**
 * The API's request and response schemas. Handlers validate requests and their own responses with
 * these, and openapi.ts builds /openapi.json from these same objects, so the document cannot drift
 * from what is enforced.
 */

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required (${what})` : `expected text (${what})`;

const currency = (what: string) =>
  z
    .string({ error: required(what) })
    .regex(/^[A-Za-z0-9]{2,12}$/, `expected 2 to 12 letters or digits (${what})`)
    .transform((value) => value.toUpperCase());

/** Extras a prediction can carry, asked for with `include`. */
export const PREDICT_INCLUDES = ['candles'] as const;

const include = z
  .string({ error: `expected text, a comma-separated list of: ${PREDICT_INCLUDES.join(', ')}` })
  .transform((value, ctx) => {
    const items = value
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item !== '');
    const allowed: readonly string[] = PREDICT_INCLUDES;
    for (const item of items) {
      if (!allowed.includes(item)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown value "${item}"; allowed: ${PREDICT_INCLUDES.join(', ')}`,
        });
        return z.NEVER;
      }
    }
    return items as (typeof PREDICT_INCLUDES)[number][];
  });

/**
 * GET and PUT /predict: the pair as two currencies, case-insensitive (`btc` and `BTC` are the same).
 * Unknown parameters are refused, so that a misspelt one is reported instead of silently ignored.
 */
export const PredictRequestSchema = z
  .strictObject({
    currency: currency('the base currency, for example BTC').meta({
      description: 'Base currency, case-insensitive: 2 to 12 letters or digits.',
      examples: ['BTC'],
    }),
    compare: currency('the quote currency, for example USDT').meta({
      description: 'Quote currency, case-insensitive: 2 to 12 letters or digits.',
      examples: ['USDT'],
    }),
    include: include.optional().meta({
      description: `Extras, comma-separated: ${PREDICT_INCLUDES.join(', ')} (the window of candles the model read).`,
      examples: ['candles'],
    }),
  })
  .meta({ description: 'Which pair to predict; the same fields in the query string or a PUT body.' });

export type PredictRequest = z.output<typeof PredictRequestSchema>;

/** Requests that take no parameters refuse any, for the same reason. */
export const NoParametersSchema = z.strictObject({});

const isoTime = z.iso.datetime().meta({ description: 'UTC, ISO 8601' });
/** JSON has no Infinity: a skill of -Infinity (naive MAE of 0) is sent as null. */
const finiteOrNull = z.number().nullable();

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
    scale: z.enum(['b1', 'linear', 'network']).meta({
      description:
        'How the scale is made: b1, the EWMA(0.94) volatility of the window; linear, b1 x exp(a correction ' +
        'fitted on the hour of day, volume and ranges); network, the LSTM scale head.',
    }),
    calibrated: z.boolean().meta({ description: 'Whether the intervals were calibrated on held-out hours.' }),
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
    description: 'metrics.skill, beside the age: how good the model is, and how old.',
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
  metrics: MetricsSummarySchema,
  crps_skill: finiteOrNull.meta({
    description: 'distribution.measured.crps_skill, beside skill; null when not measured.',
  }),
  distribution: DistributionSummarySchema,
});

const pair = z.string().meta({ description: 'BASE/QUOTE', examples: ['BTC/USDT'] });

export const ResponseCandleSchema = z.object({
  open_time: isoTime,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

export const PredictResponseSchema = z.object({
  pair,
  interval: z.string().meta({ examples: ['1h'] }),
  prediction: z
    .object({ open_time: isoTime, close_time: isoTime, close: z.number() })
    .meta({ description: 'The predicted close of the next candle, the one after the last closed one.' }),
  last_candle: z
    .object({ open_time: isoTime, close_time: isoTime, close: z.number() })
    .meta({ description: 'The newest closed candle: the last of the window the model read.' }),
  change: z
    .object({ absolute: z.number(), percent: z.number() })
    .meta({ description: 'prediction.close - last_candle.close, and as a percentage of last_candle.close.' }),
  distribution: NextCloseDistributionSchema.meta({
    description:
      'The distribution of the next close, in prices: it should land below quantiles.p05 one hour in 20, ' +
      'and inside intervals.i90 nine hours in ten. scale is the standard deviation of the next log return.',
  }),
  model: ServedModelSchema,
  candles: z
    .array(ResponseCandleSchema)
    .optional()
    .meta({ description: 'With include=candles: the window the model read, oldest first.' }),
});

export const ErrorBodySchema = z.object({
  code: z.string().meta({ description: 'Stable, for programs: bad_request, unknown_pair, ...' }),
  message: z.string().meta({ description: 'For people: what went wrong and what to do.' }),
  request_id: z.string().optional(),
  field: z.string().optional().meta({ description: 'With bad_request: the parameter at fault.' }),
  available: z.array(z.string()).optional().meta({ description: 'With unknown_pair: the pairs served.' }),
});

export const ErrorResponseSchema = z.object({ error: ErrorBodySchema });

export const ModelEntrySchema = ServedModelSchema.extend({
  pair,
  loaded_at: isoTime.meta({ description: 'When this instance loaded the model.' }),
});

export const ModelsResponseSchema = z.object({
  models: z.array(ModelEntrySchema),
  unavailable: z
    .array(z.object({ pair, error: ErrorBodySchema.pick({ code: true, message: true }) }))
    .meta({ description: 'Published pairs whose model cannot be served now, and why.' }),
});

export const ReloadResponseSchema = z.object({
  ok: z.boolean().meta({ description: 'Whether every served pair now serves its latest published model.' }),
  pairs: z.array(
    z.object({
      pair,
      version: z.string().nullable(),
      previous_version: z.string().nullable(),
      changed: z.boolean(),
      error: ErrorBodySchema.pick({ code: true, message: true }).optional(),
    }),
  ),
});

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  uptime_seconds: z.number().nonnegative(),
});

export const ReadyResponseSchema = z.object({
  ready: z.boolean(),
  storage: z.enum(['ok', 'unavailable']),
  storage_error: z
    .object({ last_error_at: isoTime, message: z.string() })
    .optional()
    .meta({ description: 'With storage unavailable: when it last failed, and how, in public terms.' }),
  models: z.array(
    z.object({
      pair,
      ...ServedModelSchema.pick({
        version: true,
        trained_at: true,
        age_seconds: true,
        stale: true,
        stale_after_seconds: true,
        clock_skew: true,
      }).shape,
    }),
  ),
  problems: z.array(z.string()).meta({
    description:
      'Why the instance is not ready (a stale model: its age against the limit), or a pair is not served.',
  }),
});

export type PredictResponse = z.infer<typeof PredictResponseSchema>;
export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
export type ReloadResponse = z.infer<typeof ReloadResponseSchema>;
export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
