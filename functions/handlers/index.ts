import { RunRecords } from '../../adapters/storage/run-records.js';
import type { ApiHandler } from '../http-handler.js';
import type { RouteName } from '../routes.js';
import type { Runtime } from '../runtime.js';
import { healthzHandler } from './healthz.js';
import { heldoutHandler } from './heldout.js';
import { modelsHandler } from './models.js';
import { openapiHandler } from './openapi.js';
import { predictHandler } from './predict.js';
import { createReadiness, readyzHandler, statusHandler, type ReadyzOptions } from './readyz.js';
import { reloadHandler } from './reload.js';
import { runsHandler } from './runs.js';

export {
  healthzHandler,
  heldoutHandler,
  modelsHandler,
  openapiHandler,
  predictHandler,
  readyzHandler,
  reloadHandler,
  runsHandler,
  statusHandler,
};
export { createReadiness, READYZ_CACHE_MS, type Readiness, type ReadyzOptions } from './readyz.js';

/** Every route's handler, sharing one runtime: what the local adapter serves in one process. */
export type HandlerTable = Readonly<Record<RouteName, ApiHandler>>;

export interface HandlerTableOptions {
  readonly readyz?: ReadyzOptions;
}

export function createHandlers(runtime: Runtime, options: HandlerTableOptions = {}): HandlerTable {
  // One evaluation shared by the public and the operator route, as one instance answers both.
  const readiness = createReadiness(runtime, options.readyz);
  // The run records beside the runtime's models: the same bucket, prefix and client.
  const records = RunRecords.beside(runtime.store);
  return {
    predict: predictHandler(runtime),
    models: modelsHandler(runtime),
    reload: reloadHandler(runtime),
    openapi: openapiHandler(runtime),
    healthz: healthzHandler(runtime),
    readyz: readyzHandler(runtime, readiness),
    status: statusHandler(runtime, readiness),
    heldout: heldoutHandler({ config: runtime.config, runs: records }),
    runs: runsHandler({ config: runtime.config, runs: records }),
  };
}
