import * as z from 'zod';

/** One OHLCV candle. `openTime` is the start of its interval, in ms since the Unix epoch (UTC). */
export const CandleSchema = z.strictObject({
  openTime: z.number().int().nonnegative(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

export type Candle = z.infer<typeof CandleSchema>;

export const HOUR_MS = 3_600_000;
