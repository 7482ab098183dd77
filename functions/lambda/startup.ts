import type { LoadedConfig } from '../../adapters/config/files.js';
import { loadJsonConfig } from '../../adapters/config/json.js';
import { recordStartupStep } from '../../core/timing/startup-steps.js';

/**
 * The configuration, read from the environment and validated once when an entry module loads (see
 * init.ts). Kept apart from the runtime so that an entry needing only the configuration (/healthz)
 * bundles neither onnxruntime nor the S3 client. The files are the JSON that bundling writes beside the
 * handler (core/config/load-json.ts), imported by path rather than through core/config's index, which
 * also holds the YAML reader.
 */
const configStarted = performance.now();
export const startup: LoadedConfig = loadJsonConfig();
recordStartupStep('config', configStarted);
