import { httpHandler, type ApiHandler } from '../http-handler.js';
import { modelEntry, publicError } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import type { Runtime } from '../runtime.js';
import { ModelsResponseSchema } from '../schemas/models.js';

/** GET /models: every served pair with a published model, and the pairs whose model cannot be served. */
export function modelsHandler(runtime: Pick<Runtime, 'config' | 'predictor'>): ApiHandler {
  return httpHandler({ route: 'models', corsOrigins: runtime.config.serving.cors_origins }, async () => {
    const statuses = await runtime.predictor.status();
    return jsonResponse(ModelsResponseSchema, {
      models: statuses.flatMap((s) => (s.ok ? [modelEntry(s.model)] : [])),
      unavailable: statuses.flatMap((s) => (s.ok ? [] : [{ pair: s.pair, error: publicError(s.error) }])),
    });
  });
}
