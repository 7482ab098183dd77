import { Logger } from '@aws-lambda-powertools/logger';
import type { PredictorLog } from '../serving/predictor-types.js';

/**
 * The functions' one structured logger: JSON lines with the Lambda context (request id, cold start)
 * added by injectLambdaContext. The level comes from POWERTOOLS_LOG_LEVEL (or Lambda's own log level
 * setting); INFO by default.
 */
export const logger = new Logger({ serviceName: 'crypto-forecast-api' });

/** The predictor's log as this logger. */
export function predictorLog(target: Logger = logger): PredictorLog {
  return {
    info: (message, fields) => target.info(message, { ...fields }),
    warn: (message, fields) => target.warn(message, { ...fields }),
  };
}
