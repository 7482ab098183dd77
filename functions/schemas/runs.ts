import * as z from 'zod';
import { RunRecordSchema } from '../../core/runs/run-record.js';

/**
 * GET /runs: training runs as the job recorded them (core/runs/run-record.ts), newest first, each with its
 * settings, per-epoch losses, figures beside the baselines, and outcome: published, refused by which
 * gate, or failed with what reason. Records outlive the versions they describe.
 */
/**
 * A run's record as the API answers it: the stored schema, with the settings as a plain JSON object (the
 * stored schema's recursive JSON value has no useful OpenAPI form).
 */
export const RunRecordResponseSchema = RunRecordSchema.extend({
  settings: z.record(z.string(), z.unknown()).meta({
    description:
      'The configuration the run trained with: market, features, training, validation and distribution, as conf/ names them.',
  }),
});

export const RunsResponseSchema = z.object({
  runs: z.array(RunRecordResponseSchema).meta({ description: 'The runs, newest first.' }),
  unreadable: z
    .array(
      z.object({
        run_id: z.string(),
        reason: z.string(),
      }),
    )
    .meta({
      description:
        'Runs among the newest asked for whose record exists but cannot be read (it does not validate, or is too large); listed apart, never in place of a run.',
    }),
});

export type RunsResponse = z.infer<typeof RunsResponseSchema>;
