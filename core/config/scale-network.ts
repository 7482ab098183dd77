import * as z from 'zod';

const positiveInt = z.number().int().positive();

/**
 * distribution.network: one scale network for every pair (training-image/src/scale). Defaults are the
 * recipe measured on the six-pair panel (docs/forecast.md): an LSTM of 32 over the last 48 hours, three
 * seeds averaged, AdamW at 2e-3 without weight decay, early-stopped with patience 4. Nothing here was tuned
 * on test windows.
 */
export const ScaleNetworkConfigSchema = z.strictObject({
  /** false: every pair serves its own linear correction, as before the network. */
  enabled: z.boolean(),
  /** Hours the network reads before a forecast; must fit inside features.sequence_length. */
  sequence_hours: z.number().int().min(2),
  hidden_size: positiveInt,
  /** Networks trained from seeds training.seed, +1, ... and averaged. */
  members: z.number().int().min(1).max(16),
  learning_rate: z.number().positive(),
  weight_decay: z.number().min(0),
  batch_size: positiveInt,
  patience: positiveInt,
  max_epochs: positiveInt,
});

export type ScaleNetworkConfig = z.infer<typeof ScaleNetworkConfigSchema>;

export const DEFAULT_SCALE_NETWORK_CONFIG: ScaleNetworkConfig = Object.freeze({
  enabled: true,
  sequence_hours: 48,
  hidden_size: 32,
  members: 3,
  learning_rate: 2e-3,
  weight_decay: 0,
  batch_size: 256,
  patience: 4,
  max_epochs: 100,
});
