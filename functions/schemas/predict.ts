import * as z from 'zod';
import { NextCloseDistributionSchema } from '../../core/distribution/served-schema.js';
import { isoTime, pair } from './common.js';
import { ServedModelSchema } from './served-model.js';

export const ResponseCandleSchema = z.object({
  open_time: isoTime,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

export const PredictResponseSchema = z.object({
  pair,
  interval: z.string().meta({ examples: ['1h'] }),
  prediction: z
    .object({ open_time: isoTime, close_time: isoTime, close: z.number() })
    .meta({ description: 'The predicted close of the next candle, the one after the last closed one.' }),
  last_candle: z
    .object({ open_time: isoTime, close_time: isoTime, close: z.number() })
    .meta({ description: 'The newest closed candle: the last of the window the model read.' }),
  change: z
    .object({ absolute: z.number(), percent: z.number() })
    .meta({ description: 'prediction.close - last_candle.close, and as a percentage of last_candle.close.' }),
  distribution: NextCloseDistributionSchema.meta({
    description:
      'The distribution of the next close, in prices: it should land below quantiles.p05 one hour in 20, ' +
      'and inside intervals.i90 nine hours in ten. scale is the standard deviation of the next log return.',
  }),
  model: ServedModelSchema,
  candles: z
    .array(ResponseCandleSchema)
    .optional()
    .meta({ description: 'With include=candles: the window the model read, oldest first.' }),
});

export type PredictResponse = z.infer<typeof PredictResponseSchema>;
