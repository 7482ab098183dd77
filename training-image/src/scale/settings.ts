import type { Config } from '../../../core/config/index.js';
import type { ScaleNetworkSettings } from './train.js';

/** The network's settings from the configuration (members seeded from training.seed). */
export function networkSettings(config: Config): ScaleNetworkSettings {
  const n = config.distribution.network;
  return {
    hiddenSize: n.hidden_size,
    members: n.members,
    learningRate: n.learning_rate,
    weightDecay: n.weight_decay,
    batchSize: n.batch_size,
    patience: n.patience,
    maxEpochs: n.max_epochs,
    seed: config.training.seed,
  };
}
