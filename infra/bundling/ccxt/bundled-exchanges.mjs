// What `ccxt` is inside a Lambda function's bundle, where infra/bundling/function-esbuild.ts aliases the
// package to this file: the exchanges the functions carry and ccxt's error classes, each from its own
// module, instead of ccxt's index. The index imports all of ccxt's ~100 exchanges: 6 MB of bundle that a
// cold start spent about half a second parsing, to use one. Outside the functions (the training image,
// the local stack, the tests) `ccxt` is the whole package and every exchange works.
//
// ccxt's package.json exports only its index, hence the relative paths into node_modules, which esbuild
// follows (ccxt is a direct dependency, so npm installs it at the top of node_modules).
//
// To serve another exchange from the functions, add its module here (and its id to BUNDLED_EXCHANGE_IDS
// in bundled-exchanges.ts); adapters/market/exchange-classes.ts names this file when an id is missing.
import binance from '../../../node_modules/ccxt/js/src/binance.js';
// Binance's API for US residents (api.binance.com refuses US addresses, AWS us-* regions included).
import binanceus from '../../../node_modules/ccxt/js/src/binanceus.js';

export * from '../../../node_modules/ccxt/js/src/base/errors.js';
export { binance, binanceus };
export const exchanges = { binance, binanceus };
/** This ccxt carries only `exchanges`: an id missing from it may be a real exchange left out. */
export const bundledSubset = true;
