import { describeError } from '../error-mapping.js';
import { httpHandler } from '../http-handler.js';
import { readyModel, staleReason } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import { getRuntime } from '../runtime.js';
import { ReadyResponseSchema, type ReadyResponse } from '../schemas.js';

/**
 * GET /readyz: 200 when storage answers, at least one model loads and no served model is stale; 503
 * with the reasons otherwise. A stale model still answers /predict (flagged there): readiness is where
 * a monitor learns that training has stopped renewing it.
 */
export const handler = httpHandler({ route: 'readyz' }, async () => {
  const { config, store, predictor } = getRuntime();
  const problems: string[] = [];
  const models: ReadyResponse['models'] = [];
  let storage: ReadyResponse['storage'] = 'ok';
  try {
    await store.ping();
  } catch (error) {
    storage = 'unavailable';
    problems.push(describeError(error).message);
  }
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
  }
  const ready = storage === 'ok' && models.length > 0 && models.every((model) => !model.stale);
  return jsonResponse(
    ReadyResponseSchema,
    { ready, storage, models, problems },
    ready ? 200 : 503,
    ready ? {} : { 'Retry-After': '30' },
  );
});
