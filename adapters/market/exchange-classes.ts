import type * as Ccxt from 'ccxt';
import type { ConstructorArgs, Exchange } from 'ccxt';

import { recordStartupStep } from '../../core/timing/startup-steps.js';
import { UnbundledExchangeError, UnknownExchangeError } from './errors.js';

export type ExchangeClass = new (config?: ConstructorArgs) => Exchange;

/**
 * Exchanges loaded from their own ccxt module rather than from ccxt's index, which imports all of its
 * ~100 exchanges: 6 MB of the Lambda bundle that a cold start spent about half a second parsing. The
 * functions' bundles carry these exchanges and no other. ccxt's package.json exports only its index,
 * hence the relative paths into node_modules, which esbuild and Node both follow (ccxt is a direct
 * dependency, so npm installs it at the top of node_modules).
 */
const OWN_MODULES = {
  binance: async () => (await import('../../node_modules/ccxt/js/src/binance.js')).default,
  // Binance's API for US residents (api.binance.com refuses US addresses, AWS us-* regions included).
  binanceus: async () => (await import('../../node_modules/ccxt/js/src/binanceus.js')).default,
} as const satisfies Readonly<Record<string, () => Promise<ExchangeClass>>>;

/** Exchange ids that every build can construct, the Lambda functions' bundles included. */
export const BUNDLED_EXCHANGE_IDS: readonly string[] = Object.keys(OWN_MODULES);

// A specifier esbuild cannot read, so that it leaves this import to run time instead of bundling all of
// ccxt into the functions: there it fails (no node_modules) and the id is refused with the fix. Where
// node_modules is (the training image, the local stack, tests) any ccxt exchange id works.
const FULL_CCXT: string = 'ccxt';

/** The ccxt class of exchange `id`; UnknownExchangeError when ccxt has no such exchange. */
export async function loadExchangeClass(id: string): Promise<ExchangeClass> {
  const started = performance.now();
  const ExchangeClass = await findExchangeClass(id);
  recordStartupStep('exchange-module', started);
  return ExchangeClass;
}

async function findExchangeClass(id: string): Promise<ExchangeClass> {
  if (Object.hasOwn(OWN_MODULES, id)) return OWN_MODULES[id as keyof typeof OWN_MODULES]();
  let ccxt: typeof Ccxt;
  try {
    ccxt = (await import(FULL_CCXT)) as typeof Ccxt;
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new UnbundledExchangeError(id, suggest(id, BUNDLED_EXCHANGE_IDS), BUNDLED_EXCHANGE_IDS, {
        cause: error,
      });
    }
    throw error;
  }
  const classes = ccxt.exchanges as unknown as Readonly<Record<string, ExchangeClass>>;
  const ExchangeClass = Object.hasOwn(classes, id) ? classes[id] : undefined;
  if (ExchangeClass === undefined) {
    const known = Object.keys(classes);
    throw new UnknownExchangeError(id, suggest(id, known), known.length);
  }
  return ExchangeClass;
}

function isModuleNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND')
  );
}

function suggest(id: string, known: readonly string[]): string[] {
  const wanted = id.toLowerCase();
  return known.filter((name) => name === wanted || editDistance(name, wanted) <= 2).slice(0, 3);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
