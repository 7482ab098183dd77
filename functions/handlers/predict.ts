import { httpHandler, type ApiHandler } from '../http-handler.js';
import { predictResponse } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import type { Runtime } from '../runtime.js';
import { PredictResponseSchema } from '../schemas/predict.js';
import { PredictRequestSchema } from '../schemas/request.js';

/** GET or PUT /predict?currency=BTC&compare=USDT[&include=candles]: the next candle's predicted close. */
export function predictHandler(runtime: Pick<Runtime, 'config' | 'predictor'>): ApiHandler {
  return httpHandler(
    {
      route: 'predict',
      corsOrigins: runtime.config.serving.cors_origins,
      schema: PredictRequestSchema,
      bodyMethods: ['PUT'],
    },
    async (event) => {
      const { currency, compare, include = [] } = event.input;
      const prediction = await runtime.predictor.predict(`${currency}/${compare}`, {
        includeCandles: include.includes('candles'),
      });
      return jsonResponse(PredictResponseSchema, predictResponse(prediction));
    },
  );
}
