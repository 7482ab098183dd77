import type { ArtifactName, OptionalArtifactName } from './layout.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The largest each published object may be. A reader refuses a bigger one before reading its body, and a
 * publisher refuses to write one: an object of any size would otherwise be read whole into a function's
 * memory. Each is far above what the pipeline writes (a model of the base configuration is 0.8 MB, its
 * scaler and distribution a few KB) and far below a function's memory.
 */
export const ARTIFACT_SIZE_LIMITS: Readonly<
  Record<ArtifactName | OptionalArtifactName | 'manifest.json' | 'manifest.sig' | 'latest.json', number>
> = {
  'model.onnx': 32 * MiB,
  'scaler.json': 64 * KiB,
  'metrics.json': 1 * MiB,
  'distribution.json': 1 * MiB,
  'scale.onnx': 4 * MiB,
  'manifest.json': 64 * KiB,
  'manifest.sig': 4 * KiB,
  'latest.json': 4 * KiB,
};

export type BoundedObject = keyof typeof ARTIFACT_SIZE_LIMITS;

/**
 * The largest a run's own objects may be (`{prefix}runs/...`, core/runs/layout.ts), on the same terms: a
 * record is a few KB plus a few hundred bytes an epoch; heldout.json about 300 bytes a held-out hour, so
 * MAX_HELD_OUT_HOURS (20,000) of them fit with room.
 */
export const RUN_SIZE_LIMITS = {
  'record.json': 1 * MiB,
  'heldout.json': 16 * MiB,
  'subject.json': 4 * KiB,
} as const;

export type RunObjectName = keyof typeof RUN_SIZE_LIMITS;

/**
 * The numbers a model brings, bounded: serving refuses a version outside them, with a log line naming the
 * bound. Each is far outside what training produces and near what would hurt: the window multiplies the
 * candles asked of the exchange (ccxt gives at most 1,000 a request), the features the work per request,
 * and a scale correction or calibration outside these would serve absurd intervals.
 */
export const MODEL_BOUNDS = {
  /** metrics.json's model.sequence_length: candles per window. */
  sequenceLength: { min: 2, max: 720 },
  /** Columns per candle (the scaler's features). */
  featureCount: { min: 1, max: 64 },
  /** |bias| and each |weight| of the linear scale correction (on standardised inputs: e^20 is absurd). */
  correctionCoefficient: { max: 20 },
  /** Each calibration multiplier of the scale. */
  calibrationMultiplier: { min: 0.05, max: 20 },
  /** Hours the shared scale network reads (inside the window), and its units per member and members. */
  scaleNetworkHours: { min: 2, max: 720 },
  scaleNetworkHidden: { min: 1, max: 256 },
  scaleNetworkMembers: { min: 1, max: 16 },
} as const;
