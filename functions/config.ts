import { loadConfig, type LoadedConfig } from '../core/config/index.js';
import { recordStartupStep } from '../core/timing/index.js';

const configStarted = performance.now();

/**
 * The configuration, read and validated once when the first handler module is imported: a bad value
 * stops the function at start-up (an init error naming the key) instead of failing requests. The
 * environment (MUR_ENV, MODEL_BUCKET, S3_ENDPOINT, EXCHANGE_URL, PAIRS, ...) must be set before then.
 */
export const startupConfig: LoadedConfig = loadConfig();
recordStartupStep('config', configStarted);
