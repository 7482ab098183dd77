/**
 * A Lambda function's init phase, shared by the entry modules beside this one (what infra/ bundles and
 * routes.ts names): the configuration is read from the environment (MUR_ENV, MODEL_BUCKET,
 * S3_ENDPOINT, EXCHANGE_URL, PAIRS, ...) and validated once, when the entry module loads, so that a bad
 * value stops the function at start-up (an init error naming the key) instead of failing requests.
 * The handlers themselves (functions/handlers/) take a runtime and read no environment.
 */
import { staleAfterSeconds } from '../../serving/model-age.js';
import { logger } from '../logger.js';
import { createRuntime, type Runtime } from '../runtime.js';

import { startup } from './startup.js';

export { startup };

let runtime: Runtime | undefined;

/** This instance's runtime, created once from the start-up configuration. */
export function lambdaRuntime(): Runtime {
  if (runtime === undefined) {
    runtime = createRuntime(startup.config);
    logger.info('runtime created', {
      env: startup.env,
      sources: startup.sources,
      pairs: runtime.config.pairs,
      refresh_seconds: runtime.config.serving.refresh_seconds,
      stale_after_seconds: staleAfterSeconds(runtime.config),
    });
  }
  return runtime;
}
