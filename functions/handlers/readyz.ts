import { describeError } from '../error-mapping.js';
import { httpHandler } from '../http-handler.js';
import { readyModel, staleReason } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import { getRuntime } from '../runtime.js';
import { ReadyResponseSchema, type ReadyResponse } from '../schemas.js';

/**
 * GET /readyz: 200 when storage answers, at least one model loads and no served model is stale; 503
 * with the reasons otherwise. A stale model still answers /predict (flagged there): readiness is where
 * a monitor learns that training has stopped renewing it. Storage is pinged with a short deadline
 * (the predictor's probe wait): a hung store is reported as unavailable within it, not after the
 * SDK's own timeouts.
 */
export const handler = httpHandler({ route: 'readyz' }, async () => {
  const { config, predictor } = getRuntime();
  const problems: string[] = [];
  const models: ReadyResponse['models'] = [];
  const health = await predictor.checkStorage();
  const storage: ReadyResponse['storage'] = health.ok ? 'ok' : 'unavailable';
  const storageError =
    health.ok || health.lastErrorAt === null
      ? undefined
      : {
          last_error_at: new Date(health.lastErrorAt).toISOString(),
          message: describeError(health.lastError).message,
        };
  if (storageError !== undefined) problems.push(storageError.message);
  if (storage === 'ok') {
    try {
      for (const status of await predictor.status()) {
        if (!status.ok) {
          problems.push(`${status.pair}: ${describeError(status.error).message}`);
          continue;
        }
        models.push(readyModel(status.model));
        if (status.model.age.stale) problems.push(staleReason(status.model, config.serving));
      }
    } catch (error) {
      problems.push(describeError(error).message);
    }
    if (models.length === 0 && problems.length === 0)
      problems.push('no served pair has a published model yet');
    for (const folder of predictor.unreadableEntries()) {
      problems.push(`skipped an unreadable latest.json in the model folder ${folder}`);
    }
  }
  const ready = storage === 'ok' && models.length > 0 && models.every((model) => !model.stale);
  return jsonResponse(
    ReadyResponseSchema,
    {
      ready,
      storage,
      ...(storageError === undefined ? {} : { storage_error: storageError }),
      models,
      problems,
    },
    ready ? 200 : 503,
    ready ? {} : { 'Retry-After': '30' },
  );
});
