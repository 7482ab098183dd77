import { deepMerge, parseConfig, type Config } from '../../core/config/index.js';
import { loadConfig } from '../../adapters/config/yaml.js';
import { TEST_SIGNING_KEY } from './signing.js';

/** conf/local with `overrides` laid over it, validated by the real schema. */
export function smallConfig(overrides: Record<string, unknown> = {}): Config {
  const local = loadConfig({ env: 'local', environment: {} }).config as unknown as Record<string, unknown>;
  const tiny = deepMerge(local, {
    pairs: ['BTC/USDT'],
    market: { history_days: 12 },
    features: { sequence_length: 12 },
    training: { hidden_size: 6, max_epochs: 2, train_batch_size: 32, backend: 'auto' },
    validation: { max_mean_loss: 10 },
    distribution: { network: { sequence_hours: 8, hidden_size: 4, members: 1, max_epochs: 2 } },
    // The test process's own key pair, not the local stack's (.local/keys).
    storage: { signing_key: TEST_SIGNING_KEY },
  });
  return parseConfig(deepMerge(tiny, overrides));
}
