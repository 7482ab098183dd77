import { loadConfig, type LoadedConfig } from '../../core/config/index.js';
import { recordStartupStep } from '../../core/timing/index.js';

/**
 * The configuration, read from the environment and validated once when an entry module loads (see
 * init.ts). Kept apart from the runtime so that an entry needing only the configuration (/healthz)
 * bundles neither onnxruntime nor the S3 client.
 */
const configStarted = performance.now();
export const startup: LoadedConfig = loadConfig();
recordStartupStep('config', configStarted);
