import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { BUNDLED_CCXT } from './ccxt/bundled-exchanges.js';
import { LEFT_OUT_PACKAGES, VENDORED_PACKAGES, vendoredLoaderPath } from './finish-bundle.js';

/**
 * Where the built-in shims are: one `{name}.cjs` per Node built-in the functions import (a `/` in the
 * name is a `-` in the file's), each `module.exports = process.getBuiltinModule('node:{name}')`.
 *
 * Why: an ES import of a built-in makes Node build an ES module facade of it, which reads every export,
 * and some exports are lazy getters. node:http's WebSocket getter loads undici, the whole of Node's fetch.
 * Measured on Node 22.23 on this project's machine, one built-in imported in a new process after
 * another (ES import vs getBuiltinModule, ms):
 *
 * | built-in | import | getBuiltinModule |
 * | --- | --- | --- |
 * | http | 44.7 | 6.6 |
 * | process | 9.2 | 0.03 |
 * | fs | 5.7 | 0.01 |
 * | util | 4.8 | 0.01 |
 *
 * Aliased to these shims, the bundle reaches every built-in as CommonJS does; finish-bundle.ts refuses
 * a bundle that still imports one (the message names the shim to add).
 */
export const BUILTIN_SHIMS_DIR = fileURLToPath(new URL('./builtins/', import.meta.url));

/** The built-ins that have a shim, as `node:`-less names (`fs/promises`). */
export const SHIMMED_BUILTINS: readonly string[] = readdirSync(BUILTIN_SHIMS_DIR)
  .filter((file) => file.endsWith('.cjs'))
  .map((file) => file.slice(0, -'.cjs'.length).replace('-', '/'))
  .sort();

/** The shim file of a built-in. */
export function builtinShimPath(name: string): string {
  return `${BUILTIN_SHIMS_DIR}${name.replace('/', '-')}.cjs`;
}

/**
 * Modules that ccxt's base class imports for features the functions never run (they read Binance's public
 * candles), each aliased to a stub in left-out/ whose exports throw, naming the module, if ever called.
 * Measured on the predict bundle: 174 KB less to parse, and no StarkNet or elliptic curve constants
 * computed while ccxt loads (StarkNet's about 10 ms of the cold start's first candle request; the
 * curves 20-30 ms of the cold start in an A/B of 20 alternating runs).
 */
export const LEFT_OUT_MODULES = {
  ws: 'ws.mjs',
  fflate: 'fflate.mjs',
  '@scure/starknet': 'scure-starknet.mjs',
  // Curves for signing private requests; the functions make public ones only.
  '@noble/curves/secp256k1.js': 'noble-secp256k1.mjs',
  '@noble/curves/nist.js': 'noble-nist.mjs',
  '@noble/curves/ed25519.js': 'noble-ed25519.mjs',
  // dYdX's helpers (imported when ccxt loads) and mexc's messages (imported for mexc only).
  'protobufjs/minimal.js': 'protobufjs-minimal.mjs',
  'protobufjs/minimal': 'protobufjs-minimal.mjs',
} as const satisfies Readonly<Record<string, string>>;

const LEFT_OUT_DIR = fileURLToPath(new URL('./left-out/', import.meta.url));

/**
 * esbuild's alias option: both spellings of each shimmed built-in to its shim, the left-out modules to
 * their stubs, the vendored packages to their loaders, and ccxt to the exchanges the functions carry.
 */
function functionAliases(): Record<string, string> {
  return Object.fromEntries([
    ...SHIMMED_BUILTINS.flatMap((name) => [
      [name, builtinShimPath(name)],
      [`node:${name}`, builtinShimPath(name)],
    ]),
    ...Object.entries(LEFT_OUT_MODULES).map(([name, stub]) => [name, `${LEFT_OUT_DIR}${stub}`]),
    ...VENDORED_PACKAGES.map((name) => [name, vendoredLoaderPath(name)]),
    ['ccxt', BUNDLED_CCXT],
  ]);
}

/**
 * The esbuild options every Lambda function is bundled with: infra/lib/function-bundling.ts hands them to
 * NodejsFunction, and the cold-start bench and the bundle tests give them to esbuild directly, so that
 * what they measure and check is what ships.
 *
 * - ESM, because the handlers and core/ are ESM and core/config reads `import.meta.url` at load time; a
 *   `require` made with createRequire keeps bundled CJS packages that call require() on built-ins working.
 * - Everything bundled but the native packages finish-bundle.ts vendors and those it leaves out.
 * - Node built-ins through the shims above, and LEFT_OUT_MODULES as their stubs.
 */
export const FUNCTION_ESBUILD = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: {
    js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);",
  },
  external: [...VENDORED_PACKAGES, ...LEFT_OUT_PACKAGES],
  alias: functionAliases(),
  minify: true,
} as const satisfies BuildOptions;
