import { fileURLToPath } from 'node:url';

/** The module the functions' bundles load as `ccxt` (FUNCTION_ESBUILD.alias). */
export const BUNDLED_CCXT = fileURLToPath(new URL('./bundled-exchanges.mjs', import.meta.url));

/** The exchange ids bundled-exchanges.mjs carries: the only ones a Lambda function can construct. */
export const BUNDLED_EXCHANGE_IDS = ['binance', 'binanceus'] as const;
