import { describeError } from '../error-mapping.js';
import { httpHandler } from '../http-handler.js';
import { jsonResponse } from '../responses.js';
import { getRuntime } from '../runtime.js';
import { ReadyResponseSchema, type ReadyResponse } from '../schemas.js';

/** GET /readyz: 200 when storage answers and at least one model loads; 503 with the reasons otherwise. */
export const handler = httpHandler({ route: 'readyz' }, async () => {
  const { store, predictor } = getRuntime();
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
        if (status.ok) models.push({ pair: status.pair, version: status.model.version });
        else problems.push(`${status.pair}: ${describeError(status.error).message}`);
      }
    } catch (error) {
      problems.push(describeError(error).message);
    }
    if (models.length === 0 && problems.length === 0)
      problems.push('no served pair has a published model yet');
  }
  const ready = storage === 'ok' && models.length > 0;
  return jsonResponse(
    ReadyResponseSchema,
    { ready, storage, models, problems },
    ready ? 200 : 503,
    ready ? {} : { 'Retry-After': '30' },
  );
});
