import * as z from 'zod';
import { pair, isoTime } from './common.js';
import { ErrorBodySchema } from './error.js';
import { ServedModelSchema } from './served-model.js';

export const ModelEntrySchema = ServedModelSchema.extend({
  pair,
  loaded_at: isoTime.meta({ description: 'When this instance loaded the model.' }),
});

export const ModelsResponseSchema = z.object({
  models: z.array(ModelEntrySchema),
  unavailable: z
    .array(z.object({ pair, error: ErrorBodySchema.pick({ code: true, message: true }) }))
    .meta({ description: 'Published pairs whose model cannot be served now, and why.' }),
});

export const ReloadResponseSchema = z.object({
  ok: z.boolean().meta({ description: 'Whether every served pair now serves its latest published model.' }),
  pairs: z.array(
    z.object({
      pair,
      version: z.string().nullable(),
      previous_version: z.string().nullable(),
      changed: z.boolean(),
      error: ErrorBodySchema.pick({ code: true, message: true }).optional(),
    }),
  ),
});

export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
export type ReloadResponse = z.infer<typeof ReloadResponseSchema>;
