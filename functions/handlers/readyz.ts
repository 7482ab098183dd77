import { describeError } from '../error-mapping.js';
import { httpHandler, type ApiHandler } from '../http-handler.js';
import { readyModel, staleReason } from '../presenters.js';
import { jsonResponse } from '../responses.js';
import type { Runtime } from '../runtime.js';
import { ReadyResponseSchema, StatusResponseSchema, type StatusResponse } from '../schemas/ready.js';

export interface ReadyzOptions {
  /**
   * How long one answer is reused. /readyz needs no key and lists, reads and possibly loads every
   * model: without a cache, anyone could make each call cost a round of storage requests.
   */
  readonly cacheMs?: number;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
}

/** A few seconds: a monitor polling every 10 s or more still sees every change. */
export const READYZ_CACHE_MS = 5_000;

/** The readiness of an instance, evaluated at most once per `cacheMs` (calls meanwhile share it). */
export type Readiness = () => Promise<StatusResponse>;

/**
 * 200 when storage answers, at least one model loads and no served model is stale; 503 otherwise. A
 * stale model still answers /predict (flagged there): readiness is where a monitor learns that training
 * has stopped renewing it. Storage is pinged with a short deadline (the predictor's probe wait): a hung
 * store is reported as unavailable within it, not after the SDK's own timeouts. Calls within `cacheMs`
 * of an evaluation, and calls while one runs, share its answer: the public route can make no call cost a
 * round of storage requests.
 */
export function createReadiness(
  runtime: Pick<Runtime, 'config' | 'predictor'>,
  options: ReadyzOptions = {},
): Readiness {
  const cacheMs = options.cacheMs ?? READYZ_CACHE_MS;
  const now = options.now ?? Date.now;
  let cached: { readonly at: number; readonly answer: Promise<StatusResponse> } | undefined;
  return () => {
    if (cached === undefined || now() - cached.at >= cacheMs) {
      const answer = evaluate(runtime);
      cached = { at: now(), answer };
      // A failed evaluation is not kept: the next call tries again.
      answer.catch(() => {
        if (cached?.answer === answer) cached = undefined;
      });
    }
    return cached.answer;
  };
}

/** GET /readyz, public: ready or not, and nothing more (versions, pairs and errors are GET /status's). */
export function readyzHandler(
  runtime: Pick<Runtime, 'config' | 'predictor'>,
  readiness: Readiness = createReadiness(runtime),
): ApiHandler {
  return httpHandler({ route: 'readyz', corsOrigins: runtime.config.serving.cors_origins }, async () => {
    const { ready } = await readiness();
    return jsonResponse(
      ReadyResponseSchema,
      { ready },
      ready ? 200 : 503,
      ready ? {} : { 'Retry-After': '30' },
    );
  });
}

/** GET /status, operators only: the same verdict, with storage's state, the models and every problem. */
export function statusHandler(
  runtime: Pick<Runtime, 'config' | 'predictor'>,
  readiness: Readiness = createReadiness(runtime),
): ApiHandler {
  return httpHandler({ route: 'status', corsOrigins: runtime.config.serving.cors_origins }, async () => {
    const body = await readiness();
    return jsonResponse(
      StatusResponseSchema,
      body,
      body.ready ? 200 : 503,
      body.ready ? {} : { 'Retry-After': '30' },
    );
  });
}

async function evaluate({
  config,
  predictor,
}: Pick<Runtime, 'config' | 'predictor'>): Promise<StatusResponse> {
  const problems: string[] = [];
  const models: StatusResponse['models'] = [];
  const health = await predictor.checkStorage();
  const storage: StatusResponse['storage'] = health.ok ? 'ok' : 'unavailable';
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
        if (status.model.age.stale) problems.push(staleReason(status.model, config));
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
  return {
    ready,
    storage,
    ...(storageError === undefined ? {} : { storage_error: storageError }),
    models,
    problems,
  };
}
