import { httpHandler } from '../http-handler.js';
import { predictResponse } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import { getRuntime } from '../runtime.js';
import { PredictRequestSchema, PredictResponseSchema } from '../schemas.js';

/** GET or PUT /predict?currency=BTC&compare=USDT[&include=candles]: the next candle's predicted close. */
export const handler = httpHandler(
  { route: 'predict', schema: PredictRequestSchema, bodyMethods: ['PUT'] },
  async (event) => {
    const { currency, compare, include = [] } = event.input;
    const prediction = await getRuntime().predictor.predict(`${currency}/${compare}`, {
      includeCandles: include.includes('candles'),
    });
    return jsonResponse(PredictResponseSchema, predictResponse(prediction));
  },
);
