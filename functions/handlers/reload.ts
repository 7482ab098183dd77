import { httpHandler, type ApiHandler } from '../http-handler.js';
import { logger } from '../logger.js';
import { reloadResponse } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import type { Runtime } from '../runtime.js';
import { ReloadResponseSchema } from '../schemas/models.js';

/**
 * POST /models/reload: reads every pair's latest.json now in the instance that answers. Deployed, each
 * function has its own instances, so prediction instances still pick a new version up within
 * serving.refresh_seconds; this answers at once whether the latest versions load.
 */
export function reloadHandler(runtime: Pick<Runtime, 'config' | 'predictor'>): ApiHandler {
  return httpHandler({ route: 'reload', corsOrigins: runtime.config.serving.cors_origins }, async (event) => {
    const results = await runtime.predictor.reload();
    const body = reloadResponse(results);
    logger.info('models reloaded', {
      // Who reloaded: the IAM principal deployed, the operator key's id locally.
      caller_arn: event.requestContext?.identity?.userArn ?? null,
      api_key_id: event.requestContext?.identity?.apiKeyId ?? null,
      ok: body.ok,
      pairs: body.pairs,
    });
    return jsonResponse(ReloadResponseSchema, body);
  });
}
