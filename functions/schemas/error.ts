import * as z from 'zod';

export const ErrorBodySchema = z.object({
  code: z.string().meta({ description: 'Stable, for programs: bad_request, unknown_pair, ...' }),
  message: z.string().meta({ description: 'For people: what went wrong and what to do.' }),
  request_id: z.string().optional(),
  field: z.string().optional().meta({ description: 'With bad_request: the parameter at fault.' }),
  available: z.array(z.string()).optional().meta({ description: 'With unknown_pair: the pairs served.' }),
});

export const ErrorResponseSchema = z.object({ error: ErrorBodySchema });

export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
