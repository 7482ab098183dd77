import * as z from 'zod';

import { FamilySpecSchema } from '../distribution/family.js';
import { DEFAULT_SCALE_INPUTS, ScaleInputsSpecSchema } from '../distribution/scale-inputs.js';
import { FEATURE_SETS } from '../features/columns.js';
import { PairSchema } from '../market/pair.js';
import { DEFAULT_SCALE_NETWORK_CONFIG, ScaleNetworkConfigSchema } from './scale-network.js';
import { ScheduleConfigSchema } from './schedule.js';

// Pairs are market domain; the schema re-exports them for the configuration's readers.
export { PairSchema, type Pair } from '../market/pair.js';

/** Candle widths the pipeline understands; the product itself runs on 1h. */
export const TimeframeSchema = z.enum(['1m', '5m', '15m', '30m', '1h', '4h', '1d']);

const positiveInt = z.number().int().positive();
const share = z.number().gt(0).lt(1);

export const ExchangeConfigSchema = z.strictObject({
  /** Any ccxt exchange id; the fake exchange and the defaults speak Binance. */
  id: z.string().min(1),
  /**
   * Base URL of a ccxt-compatible endpoint that replaces the exchange's own
   * (the fake exchange, a proxy). Null means the exchange's public API.
   */
  url: z.url().nullable(),
  timeout_ms: positiveInt,
  /** Retries of one request after a network error, HTTP 429 or 5xx. */
  max_retries: z.number().int().min(0).max(10),
  /** First backoff delay; each retry doubles it. */
  retry_base_ms: z.number().int().min(0),
});

export const MarketConfigSchema = z.strictObject({
  interval: TimeframeSchema,
  history_days: positiveInt,
  /**
   * What to do with missing candles: `fail` stops the run; `fill` repairs runs of
   * at most `max_fill_gap` missing candles with flat candles at the last close.
   */
  gap_policy: z.enum(['fail', 'fill']),
  max_fill_gap: z.number().int().min(0),
});

export const FeaturesConfigSchema = z.strictObject({
  sequence_length: z.number().int().min(2),
  /** Share of the rows, taken from the end, kept for the test set. */
  test_size: share,
  /** Share of the training sequences, taken from the end, kept for validation. */
  val_size: share,
  /**
   * The model's input columns. `seed`: the original 9. `extended`: the 9, then the hour of day
   * (sin, cos) and the candle's relative log volume, log range and log return (core/features/extended.ts).
   */
  set: z.enum(FEATURE_SETS),
});

export const TrainingConfigSchema = z.strictObject({
  train_batch_size: positiveInt,
  max_epochs: positiveInt,
  hidden_size: positiveInt,
  number_of_layers: z.number().int().min(1).max(4),
  dropout_rate: z.number().min(0).lt(1),
  learning_rate: z.number().positive(),
  weight_decay: z.number().min(0),
  /** Epochs without a better validation loss before training stops; at least 1. */
  early_stopping_patience: positiveInt,
  seed: z.number().int().min(0),
  /** TensorFlow.js backend; `auto` picks tfjs-node-gpu, tfjs-node, wasm, cpu in that order. */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  /**
   * Worker threads that share each batch on the wasm and cpu backends (data parallel);
   * `auto` uses every core. 0 trains on the main thread. Native backends use their own threads.
   */
  workers: z.union([z.literal('auto'), z.number().int().min(0).max(64)]),
  /**
   * What the network learns. `level`: the scaled close itself (the original system). `residual`: the
   * change from the window's last close, added back inside the model, so the exported graph still
   * outputs the scaled close and an untrained network starts at the naive forecast.
   */
  target_mode: z.enum(['level', 'residual']),
  /**
   * Residual mode: after training, keep only the share (0 to 1, in steps of 0.05) of the predicted
   * change that gives the lowest validation MAE; 0 serves the naive forecast. A network whose signal
   * does not hold on held-out data is not served as if it did.
   */
  shrink_toward_naive: z.boolean(),
});

export const ValidationConfigSchema = z.strictObject({
  /** The original's gate: mean of validation and test loss (scaled MSE) must be under this. */
  max_mean_loss: z.number().positive(),
  /**
   * Promotion gate: a model whose test skill (1 - MAE / naive MAE) is below this is not published and
   * the previous version keeps serving. Null turns the gate off.
   */
  min_skill: z.number().max(1).nullable(),
  /**
   * Distribution gate: a model whose test CRPS skill against B1 (1 - CRPS / CRPS of the EWMA
   * Gaussian) is below this is not published. Null (the default) turns the gate off.
   */
  min_crps_skill: z.number().max(1).nullable().default(null),
});

/**
 * The distribution of the next close served beside the point forecast (distribution.json): the
 * family, how the scale is made from B1 (`b1` itself, or `linear`: a CRPS-fitted log-linear
 * correction on the training windows), and split-conformal calibration on the validation windows.
 */
export const DistributionConfigSchema = z.strictObject({
  family: FamilySpecSchema,
  scale: z.enum(['b1', 'linear'], {
    // `network`, a second head on the point forecast's LSTM, was an option until it was removed.
    error: (issue) =>
      issue.input === 'network'
        ? 'the per-pair network scale head was removed (it measured below the linear correction): use linear (or b1)'
        : undefined,
  }),
  /** What the linear correction reads (core/distribution/scale-inputs.ts). */
  inputs: ScaleInputsSpecSchema,
  /** Ridge penalty on the correction's standardised weights. */
  l2: z.number().min(0),
  calibrate: z.boolean(),
  /** One scale network across pairs, served where it validates better than the pair's linear correction. */
  network: ScaleNetworkConfigSchema.default(DEFAULT_SCALE_NETWORK_CONFIG),
});

/**
 * Student-t with 5 degrees of freedom: hourly returns are fat-tailed, and a CRPS-fitted Gaussian
 * under-covers its 90% interval (ARCHITECTURE.md). Absent from a YAML file, these values apply.
 */
export const DEFAULT_DISTRIBUTION_CONFIG: z.infer<typeof DistributionConfigSchema> = Object.freeze({
  family: Object.freeze({ name: 'student_t' as const, nu: 5 }),
  scale: 'linear' as const,
  inputs: DEFAULT_SCALE_INPUTS,
  l2: 1e-4,
  calibrate: true,
  network: DEFAULT_SCALE_NETWORK_CONFIG,
});

export const ConversionConfigSchema = z.strictObject({
  atol: z.number().positive(),
  rtol: z.number().positive(),
  /** Random windows checked besides the real test windows. */
  random_windows: z.number().int().min(1),
});

export const StorageConfigSchema = z.strictObject({
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'expected an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
    ),
  /** Key prefix under which models/{base}_{quote}/... are written. */
  prefix: z
    .string()
    .regex(/^([a-zA-Z0-9._-]+\/)*$/, 'expected empty or a path ending in "/", for example "forecast/"'),
  /** S3-compatible endpoint (MinIO, the local server); null means AWS S3. Path-style is used when set. */
  endpoint: z.url().nullable(),
  region: z.string().min(1),
  /** Published versions kept per pair; older ones are deleted after a publish. */
  keep_versions: positiveInt,
  /**
   * The key that signs every published version (the training job) and verifies it before anything is
   * loaded (serving): `kms:<key ARN>` (deployed, set by the stack as MODEL_SIGNING_KEY) or `file:<folder>`
   * (a local key pair, kept outside the bucket's data). Null: nothing can be published or served.
   */
  signing_key: z
    .string()
    .regex(/^(kms|file):.+$/, 'expected kms:<key ARN> or file:<folder of a local key pair>')
    .nullable(),
});

export const ServingConfigSchema = z.strictObject({
  /**
   * How long a warm instance serves a model before it reads latest.json again, so a newly published
   * version is served without a redeploy. 0 reads it on every request (tests, debugging).
   */
  refresh_seconds: z.number().int().min(0).max(86_400),
  /**
   * Keep each pair's last closed candles until the next candle closes, instead of asking the exchange
   * on every request: the window cannot change before then, and exchanges rate-limit.
   */
  candle_cache: z.boolean(),
  /**
   * Keys the local HTTP adapter accepts in `x-api-key`. Deployed, API Gateway's usage plan holds the
   * keys and this list stays empty: keys do not belong in a file that is committed.
   */
  api_keys: z
    .array(z.string().min(8, 'an API key needs at least 8 characters'))
    .refine((keys) => new Set(keys).size === keys.length, 'api_keys must not repeat'),
  /**
   * A model older than this many schedule periods is reported stale in predictions and /readyz, and,
   * deployed, the staleness alarm fires after as many periods without a new model.
   */
  stale_after_periods: z.number().int().min(1).max(1_000),
  /**
   * Origins whose browser scripts may read the answers (CORS); `*` for any, empty for none. Deployed,
   * the API's preflight answers with the same origins: the CDK app reads them from here.
   */
  cors_origins: z.array(
    z.string().regex(/^(\*|https?:\/\/[^\s/]+)$/, 'expected * or an origin like https://example.com'),
  ),
});

export const ConfigSchema = z
  .strictObject({
    pairs: z
      .array(PairSchema)
      .min(1)
      .refine((pairs) => new Set(pairs).size === pairs.length, 'pairs must not repeat'),
    exchange: ExchangeConfigSchema,
    market: MarketConfigSchema,
    features: FeaturesConfigSchema,
    training: TrainingConfigSchema,
    validation: ValidationConfigSchema,
    distribution: DistributionConfigSchema.default(DEFAULT_DISTRIBUTION_CONFIG),
    conversion: ConversionConfigSchema,
    storage: StorageConfigSchema,
    serving: ServingConfigSchema,
    schedule: ScheduleConfigSchema,
  })
  .superRefine((config, context) => {
    const { sequence_hours: hours, enabled } = config.distribution.network;
    if (enabled && hours >= config.features.sequence_length) {
      context.addIssue({
        code: 'custom',
        path: ['distribution', 'network', 'sequence_hours'],
        message: `must be below features.sequence_length (${config.features.sequence_length}): the network reads the hours inside the window serving fetches`,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
export type Timeframe = z.infer<typeof TimeframeSchema>;
export type ExchangeConfig = z.infer<typeof ExchangeConfigSchema>;
export type MarketConfig = z.infer<typeof MarketConfigSchema>;
export type FeaturesConfig = z.infer<typeof FeaturesConfigSchema>;
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;
export type DistributionConfig = z.infer<typeof DistributionConfigSchema>;
export type StorageConfig = z.infer<typeof StorageConfigSchema>;
export type ServingConfig = z.infer<typeof ServingConfigSchema>;
export type { ScheduleConfig } from './schedule.js';
