import * as z from 'zod';
import { isoTime, pair } from './common.js';
import { ServedModelSchema } from './served-model.js';

export const ReadyResponseSchema = z.object({
  ready: z.boolean(),
  storage: z.enum(['ok', 'unavailable']),
  storage_error: z
    .object({ last_error_at: isoTime, message: z.string() })
    .optional()
    .meta({ description: 'With storage unavailable: when it last failed, and how, in public terms.' }),
  models: z.array(
    z.object({
      pair,
      ...ServedModelSchema.pick({
        version: true,
        trained_at: true,
        age_seconds: true,
        stale: true,
        stale_after_seconds: true,
        clock_skew: true,
      }).shape,
    }),
  ),
  problems: z.array(z.string()).meta({
    description:
      'Why the instance is not ready (a stale model: its age against the limit), or a pair is not served.',
  }),
});

export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;
