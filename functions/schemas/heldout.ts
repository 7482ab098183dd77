import * as z from 'zod';
import { FamilySpecSchema } from '../../core/distribution/family.js';
import { HeldOutHourSchema } from '../../core/runs/heldout.js';
import { isoTime, pair } from './common.js';

/**
 * GET /heldout: a run's held-out hours as the served distribution forecast them, the closes that
 * followed, and how often those closes fell inside the bands. The hours are the run's test windows,
 * touched by no fit, no calibration and no choice.
 */
export const HeldOutResponseSchema = z.object({
  pair,
  run_id: z.string().meta({
    description: "The run; a published run's id is its version, as /predict's model.version names it.",
    examples: ['20261126T064100Z-a1b2'],
  }),
  family: FamilySpecSchema,
  calibrated: z
    .boolean()
    .meta({ description: 'Whether split-conformal calibration widened or narrowed the bands.' }),
  total_hours: z.number().int().positive().meta({ description: 'Held-out hours the run kept.' }),
  coverage: z
    .object({
      hours: z.number().int().nonnegative(),
      inside_i90: z.number().int().nonnegative(),
      i90_pct: z.number().min(0).max(100),
      inside_i95: z.number().int().nonnegative(),
      i95_pct: z.number().min(0).max(100),
      outside_i95: z
        .array(isoTime)
        .meta({ description: 'Open times of the hours whose close fell outside the 95% interval.' }),
    })
    .meta({
      description: 'Over the hours answered: closes inside the 90% band (p05 to p95) and the 95% interval.',
    }),
  hours: z.array(HeldOutHourSchema).meta({ description: 'The last held-out hours, oldest first.' }),
});

export type HeldOutResponse = z.infer<typeof HeldOutResponseSchema>;
