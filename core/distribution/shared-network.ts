import * as z from 'zod';
import { PairSchema } from '../market/pair.js';
import { ScaleCalibrationSchema } from './calibration.js';
import { ScaleInputsSpecSchema } from './scale-inputs.js';
import { SCALE_SEQUENCE_CHANNELS } from './scale-sequence.js';

/** The scale network's graph, published in each version whose pair serves it. */
export const SCALE_NETWORK_FILE = 'scale.onnx';

/**
 * How serving feeds the shared scale network and what it is, as distribution.json's `scale.network`.
 *
 * One network is trained per run across every pair; each pair's version carries its bytes (scale.onnx,
 * listed and signed in the version's manifest like every file), so a pair can never serve a network with
 * another run's calibration, and rolling a pair back rolls its network back too. `run` and `sha256` are the
 * same in every pair's version of a run.
 *
 * The graph takes `sequence` [batch, hours, 2] (writeScaleSequence) and `scale_inputs` [batch, d] (the
 * linear correction's inputs, raw: writeScaleInputs; their standardisation is folded into the graph), and
 * answers `log_scale` [batch, 1]: sigma = sigma_B1 x exp(log_scale).
 */
export const SharedNetworkSchema = z.strictObject({
  file: z.literal(SCALE_NETWORK_FILE),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
  /** The training run that made it (its version id). */
  run: z.string().min(1).max(64),
  hours: z.number().int().min(2),
  channels: z.tuple([z.literal(SCALE_SEQUENCE_CHANNELS[0]), z.literal(SCALE_SEQUENCE_CHANNELS[1])]),
  /** The linear term's inputs, in scaleInputNames order. */
  inputs: ScaleInputsSpecSchema,
  /** Networks averaged in the graph, each from its own seed. */
  members: z.number().int().min(1),
  hidden_size: z.number().int().min(1),
  /** The pairs whose windows trained it. */
  trained_on: z.array(PairSchema).min(1),
  /**
   * Split conformal over every trained pair's validation windows: what calibrates it for a pair that has
   * no run of its own yet (a pair's own version calibrates on its own windows).
   */
  pooled_calibration: ScaleCalibrationSchema,
});

export type SharedNetwork = z.infer<typeof SharedNetworkSchema>;

/** Which scale a pair serves and the validation figures that chose it (only validation windows take part). */
export const ScaleSelectionSchema = z.strictObject({
  served: z.enum(['shared_network', 'linear']),
  /** Mean CRPS on the pair's validation windows before calibration, in bp of price. */
  network_val_crps_bp: z.number().nonnegative(),
  linear_val_crps_bp: z.number().nonnegative(),
});

export type ScaleSelection = z.infer<typeof ScaleSelectionSchema>;
