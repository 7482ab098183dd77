import type * as Ccxt from 'ccxt';
import type { ConstructorArgs, Exchange } from 'ccxt';

import { recordStartupStep } from '../../core/timing/startup-steps.js';
import { UnbundledExchangeError, UnknownExchangeError } from './errors.js';

export type ExchangeClass = new (config?: ConstructorArgs) => Exchange;

/** What this adapter reads of the `ccxt` module: its exchange classes by id and its error classes. */
export interface CcxtModule {
  readonly exchanges: Readonly<Record<string, ExchangeClass>>;
  readonly NetworkError: typeof Ccxt.NetworkError;
  /**
   * Set where `ccxt` is a build's subset of the package (a Lambda function's bundle: see
   * infra/bundling/ccxt/bundled-exchanges.mjs), so that an id missing from it may be a real exchange
   * left out of the build rather than an unknown one.
   */
  readonly bundledSubset?: true;
}

let loading: Promise<CcxtModule> | undefined;

/** ccxt, imported on first use (a function that never fetches candles never loads it). */
export function loadCcxt(): Promise<CcxtModule> {
  loading ??= import('ccxt').then((module) => module as unknown as CcxtModule);
  return loading;
}

/**
 * The ccxt class of exchange `id`. UnknownExchangeError when ccxt has no such exchange;
 * UnbundledExchangeError when this build carries a subset of ccxt without it.
 */
export async function loadExchangeClass(id: string): Promise<ExchangeClass> {
  const started = performance.now();
  const ccxt = await loadCcxt();
  const ExchangeClass = Object.hasOwn(ccxt.exchanges, id) ? ccxt.exchanges[id] : undefined;
  if (ExchangeClass === undefined) {
    const known = Object.keys(ccxt.exchanges);
    if (ccxt.bundledSubset === true) throw new UnbundledExchangeError(id, suggest(id, known), known);
    throw new UnknownExchangeError(id, suggest(id, known), known.length);
  }
  recordStartupStep('exchange-module', started);
  return ExchangeClass;
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
