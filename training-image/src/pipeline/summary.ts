import type { Config } from '../../../core/config/index.js';
import { featureNames } from '../../../core/features/index.js';
import type { NetworkSummary } from '../../../core/metrics/index.js';
import type { BackendInfo } from '../tf/backend.js';

/** The network a configuration trains, as metrics.json and the backtest report record it. */
export function networkSummary(config: Config): NetworkSummary {
  return {
    sequence_length: config.features.sequence_length,
    feature_count: featureNames(config.features.set).length,
    hidden_size: config.training.hidden_size,
    layers: config.training.number_of_layers,
    // What the network forecasts; metrics.json has always recorded it.
    target: 'close',
    target_mode: config.training.target_mode,
  };
}

/** The backend, without why others were skipped (that goes to the log). */
export function backendSummary(backend: BackendInfo): { name: string; provider: string } {
  return { name: backend.name, provider: backend.provider };
}
