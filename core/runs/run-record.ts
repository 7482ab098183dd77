import * as z from 'zod';
import { VersionSchema } from '../artifacts/schemas.js';
import { PairSchema } from '../market/pair.js';
import { DataSourceSchema } from '../metrics/data-source.js';
import { BackendSummarySchema, DistributionMetricsSchema } from '../metrics/schema.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const isoTime = z.iso.datetime();
const count = z.number().int().nonnegative();
/** A reason as a person reads it: one error message, never a stack. Bounded so a record stays small. */
const reason = z.string().min(1).max(4_000);

/**
 * The shared scale network's subject: trained across pairs and published as its own subject, so its
 * runs are recorded beside the pairs'. It has the shape of a pair, so it names a folder the same way.
 */
export const NETWORK_SUBJECT = 'NETWORK/SCALE';

/** What a run trained: a pair (`BTC/USDT`) or the shared network (NETWORK_SUBJECT). */
export const RunSubjectSchema = PairSchema;
export type RunSubject = z.infer<typeof RunSubjectSchema>;

/** subject.json, in each subject's folder: which subject the folder's runs are about. */
export const SubjectFileSchema = z.strictObject({ subject: RunSubjectSchema });

/**
 * A run's id: the time it ended, as a version id (a UTC stamp, then a suffix), so that string order is
 * time order. A published run's id is the version it published, so the run behind a served version is
 * found without a search.
 */
export const RunIdSchema = VersionSchema;

/** The checks a trained model must pass before it is published (training-image/src/pipeline/gates.ts). */
export const RUN_GATES = ['validation', 'promotion', 'distribution', 'parity'] as const;
export type RunGate = (typeof RUN_GATES)[number];

/**
 * How a run ended: published (and whether latest.json moved to it), refused by a gate (nothing was
 * published, the served version stays), or failed (an error before publishing: exchange, storage, data).
 */
export const RunOutcomeSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('published'),
    /** False when a newer version was live already: published, kept, not served. */
    promoted: z.boolean(),
    not_promoted_because: z.string().max(4_000).nullable(),
  }),
  z.strictObject({ status: z.literal('refused'), gate: z.enum(RUN_GATES), reason }),
  z.strictObject({ status: z.literal('failed'), reason }),
]);
export type RunOutcome = z.infer<typeof RunOutcomeSchema>;

/**
 * Which scale a subject serves, and why: the shared network or the pair's own linear correction, chosen on
 * validation CRPS, or what the configuration fixed. The CRPS figures are null where a candidate was not
 * measured (no network trained, or B1 configured).
 */
export const ScaleChoiceSchema = z.strictObject({
  served: z.enum(['shared_network', 'linear', 'b1']),
  network_val_crps_bp: finite.nullable(),
  linear_val_crps_bp: finite.nullable(),
  reason: z.string().min(1).max(1_000),
});
export type ScaleChoice = z.infer<typeof ScaleChoiceSchema>;

/** One epoch of training: the losses the learning curves draw. */
export const RunEpochSchema = z.strictObject({
  epoch: z.number().int().positive(),
  train_loss: finite,
  val_loss: finite,
  seconds: finite,
});
export type RunEpoch = z.infer<typeof RunEpochSchema>;

/**
 * The point forecast on the held-out (test) windows, in prices, beside the naive forecast
 * ("next close = last close"). `skill` is 1 - mae / naive_mae: null when the naive forecast made no error.
 */
export const PointFiguresSchema = z.strictObject({
  windows: count,
  mae: finite,
  rmse: finite,
  naive_mae: finite,
  naive_rmse: finite,
  skill: finite.nullable(),
  direction_accuracy: z.number().min(0).max(1),
});
export type PointFigures = z.infer<typeof PointFiguresSchema>;

/** Where the machine a run trained on stands: enough to tell a slow run from a slow machine. */
export const RunMachineSchema = z.strictObject({
  backend: BackendSummarySchema,
  platform: z.string().max(64),
  arch: z.string().max(64),
  cpus: count,
  cpu_model: z.string().max(256),
  memory_mb: count,
  node: z.string().max(64),
  /** AWS_BATCH_JOB_ID when the run was a Batch job; null elsewhere. */
  batch_job: z.string().max(256).nullable(),
});
export type RunMachine = z.infer<typeof RunMachineSchema>;

/**
 * The record every training run leaves in the store beside the models, published, refused or failed
 * (`{prefix}runs/{subject}/{run_id}/record.json`). Records are kept when versions are pruned: they are
 * the history of the job. Whatever a run did not reach is null (a run that failed fetching candles has
 * no data, no training and no figures).
 */
export const RunRecordSchema = z.strictObject({
  schema_version: z.literal(1),
  run_id: RunIdSchema,
  subject: RunSubjectSchema,
  /** The version published; null when nothing was. */
  version: VersionSchema.nullable(),
  started_at: isoTime,
  finished_at: isoTime,
  duration_seconds: finite.nonnegative(),
  data: z
    .strictObject({
      source: DataSourceSchema,
      first_open_time: isoTime,
      last_open_time: isoTime,
      candles: count,
      filled_candles: count,
      windows: z.strictObject({ train: count, val: count, test: count }),
    })
    .nullable(),
  /** The configuration the run trained with (market, features, training, validation, distribution). */
  settings: z.record(z.string(), z.json()),
  machine: RunMachineSchema,
  training: z
    .strictObject({
      /** What train_loss and val_loss measure, e.g. "MSE of the scaled close". */
      loss: z.string().min(1).max(200),
      epochs: z.array(RunEpochSchema).max(10_000),
      best_epoch: count,
      stopped_early: z.boolean(),
    })
    .nullable(),
  figures: z.strictObject({
    validation: z.strictObject({
      /** The best epoch's validation loss. */
      loss: finite.nullable(),
      /** The validation gate's figure: mean of validation and test loss. */
      mean_val_test: finite.nullable(),
    }),
    /** The held-out (test) windows: touched by no fit, no calibration and no choice. */
    test: z.strictObject({
      loss: finite.nullable(),
      point: PointFiguresSchema.nullable(),
      /** The served distribution beside B0 and B1 on the same windows, as metrics.json has it. */
      distribution: DistributionMetricsSchema.nullable(),
    }),
  }),
  scale_choice: ScaleChoiceSchema.optional(),
  /** How many held-out hours heldout.json keeps beside this record; null when none was written. */
  heldout_hours: count.nullable(),
  outcome: RunOutcomeSchema,
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
