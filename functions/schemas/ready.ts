import * as z from 'zod';
import { isoTime, pair } from './common.js';
import { ServedModelSchema } from './served-model.js';

/**
 * GET /readyz, public: whether the instance is ready, and nothing else. Who may call it (anyone, a load
 * balancer, an uptime check) learns no version, no pair and no error: the details are GET /status's.
 */
export const ReadyResponseSchema = z.object({
  ready: z.boolean().meta({
    description:
      'Storage answers, at least one model loads and no served model is stale. The reasons are on GET /status (operators).',
  }),
});

/** GET /status, operators only: readiness with its reasons. */
export const StatusResponseSchema = z.object({
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
export type StatusResponse = z.infer<typeof StatusResponseSchema>;
