import * as z from 'zod';
import { PairSchema } from '../market/pair.js';
import { ScaleCalibrationSchema } from './calibration.js';
import { FamilySpecSchema } from './family.js';
import { ScaleInputsSpecSchema } from './scale-inputs.js';
import { SCALE_SEQUENCE_CHANNELS } from './scale-sequence.js';
import { HeldOutFiguresSchema } from './served-schema.js';

/**
 * network.json, published beside the shared scale network's model.onnx: what serving needs to feed the
 * graph and turn its output into a scale, and what it measured.
 *
 * The graph takes `sequence` [batch, hours, 2] (writeScaleSequence) and `scale_inputs` [batch, d] (the
 * linear correction's inputs, raw: writeScaleInputs; their standardisation is folded into the graph), and
 * answers `log_scale` [batch, 1]: the log of the next log return's scale as a multiple of B1. So
 * sigma = sigma_B1 x exp(log_scale), one model for every pair.
 */
export const ScaleNetworkSpecSchema = z.strictObject({
  schema_version: z.literal(1),
  family: FamilySpecSchema,
  /** The candles B1 and the inputs read, ending at the last closed one. */
  b1: z.strictObject({ window: z.number().int().min(2) }),
  sequence: z.strictObject({
    hours: z.number().int().min(2),
    channels: z.tuple([z.literal(SCALE_SEQUENCE_CHANNELS[0]), z.literal(SCALE_SEQUENCE_CHANNELS[1])]),
  }),
  /** The inputs of the linear term, in scaleInputNames order. */
  inputs: ScaleInputsSpecSchema,
  /** Networks averaged (their log_scale outputs), each from its own seed. */
  members: z.number().int().min(1),
  hidden_size: z.number().int().min(1),
  /** The pairs it was trained on. */
  pairs: z.array(PairSchema).min(1),
  /**
   * Split-conformal calibration pooled over every trained pair's validation windows: what serves a pair
   * that has no run of its own yet (its own run calibrates on its own windows).
   */
  calibration: ScaleCalibrationSchema.nullable(),
  /** Pooled over every trained pair's test windows, calibrated as above; null when not measured. */
  held_out: HeldOutFiguresSchema.nullable(),
});

export type ScaleNetworkSpec = z.infer<typeof ScaleNetworkSpecSchema>;
