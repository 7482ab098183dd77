import * as z from 'zod';

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  uptime_seconds: z.number().nonnegative(),
});
