import * as z from 'zod';

/** A trading pair as ccxt spells it: BASE/QUOTE in capitals. */
export const PairSchema = z
  .string()
  .regex(/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, 'expected BASE/QUOTE in capitals, for example BTC/USDT');

export type Pair = z.infer<typeof PairSchema>;
