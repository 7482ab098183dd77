import type { ArtifactStore, Manifest } from '../../../core/artifacts/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import { FEATURE_NAMES, scalerToJson, type MinMaxScaler } from '../../../core/features/index.js';
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
  readonly log: Log;
}

const encodeJson = (value: unknown): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/**
 * One step: the run's three files to the store (which makes the version live last, see
 * ArtifactStore.publish), then the old versions pruned. Thin on purpose: the ordering and safety of
 * publication belong to the store.
 */
export async function publishModel(input: PublishModelInput): Promise<Manifest> {
  const { store, config, pair, version, log } = input;
  const manifest = await store.publish({
    pair,
    version,
    files: {
      'model.onnx': input.onnx,
      'scaler.json': encodeJson(scalerToJson(input.scaler)),
      'metrics.json': encodeJson(input.metrics),
    },
    model: {
      sequence_length: config.features.sequence_length,
      feature_count: FEATURE_NAMES.length,
      features: [...FEATURE_NAMES],
      hidden_size: config.training.hidden_size,
      layers: config.training.number_of_layers,
    },
  });
  const pruned = await store.pruneVersions(pair, config.storage.keep_versions);
  log.info(
    'published',
    `${pair}: published version ${version}${pruned.length > 0 ? `, removed ${pruned.length} old version(s)` : ''}`,
    { pair, version, pruned },
  );
  return manifest;
}
