import type { ArtifactStore } from '../../../adapters/storage/index.js';
import type { Manifest } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import type { ForecastDistribution } from '../../../core/distribution/index.js';
import { scalerToJson, type MinMaxScaler } from '../../../core/features/index.js';
import type { Metrics } from '../../../core/metrics/index.js';
import type { Log } from '../log.js';

export interface PublishModelInput {
  readonly store: ArtifactStore;
  readonly config: Config;
  readonly pair: Pair;
  readonly version: string;
  readonly onnx: Uint8Array;
  readonly scaler: MinMaxScaler;
  readonly metrics: Metrics;
  /** distribution.json: published beside the three files when given. */
  readonly distribution?: ForecastDistribution;
  /** scale.onnx: the shared scale network, when distribution.json serves it. */
  readonly scaleOnnx?: Uint8Array;
  readonly log: Log;
}

const encodeJson = (value: unknown): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** What publishing did: the manifest written, and whether latest.json moved to it (and why not). */
export interface Published {
  readonly manifest: Manifest;
  readonly promoted: boolean;
  readonly notPromotedBecause: string | null;
}

/**
 * One step: the run's three files to the store (which signs the version and makes it live last, see
 * ArtifactStore.publishVersion), then the old versions pruned. Thin on purpose: the ordering and safety of
 * publication belong to the store. Resolves once the version is written, even when pruning fails, and
 * says whether latest.json moved to it.
 */
export async function publishModel(input: PublishModelInput): Promise<Published> {
  const { store, config, pair, version, log } = input;
  const outcome = await store.publishVersion({
    pair,
    version,
    files: {
      'model.onnx': input.onnx,
      'scaler.json': encodeJson(scalerToJson(input.scaler)),
      'metrics.json': encodeJson(input.metrics),
    },
    optionalFiles: {
      ...(input.distribution === undefined ? {} : { 'distribution.json': encodeJson(input.distribution) }),
      ...(input.scaleOnnx === undefined ? {} : { 'scale.onnx': input.scaleOnnx }),
    },
    model: {
      sequence_length: config.features.sequence_length,
      // The scaler's columns are the model's input: the manifest says what was trained, not a default.
      feature_count: input.scaler.features.length,
      features: [...input.scaler.features],
      hidden_size: config.training.hidden_size,
      layers: config.training.number_of_layers,
    },
  });
  const pruned = await pruneAfterPublish(input);
  log.info(
    'published',
    `${pair}: published version ${version}${pruned.length > 0 ? `, removed ${pruned.length} old version(s)` : ''}`,
    { pair, version, pruned, promoted: outcome.promoted },
  );
  return {
    manifest: outcome.manifest,
    promoted: outcome.promoted,
    notPromotedBecause: outcome.notPromotedBecause,
  };
}

/**
 * Old versions removed, or none when that fails: once latest.json names the new version the run has
 * succeeded, and failing it then would make Batch retry a published run and the staleness alarm count
 * a fresh model as missing. The next run's prune removes what this one left.
 */
async function pruneAfterPublish(input: PublishModelInput): Promise<string[]> {
  const { store, config, pair, version, log } = input;
  try {
    return await store.pruneVersions(pair, config.storage.keep_versions);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.warn(
      'prune_failed',
      `${pair}: version ${version} is live, but removing old versions failed: ${reason}`,
      {
        pair,
        version,
        reason,
      },
    );
    return [];
  }
}
