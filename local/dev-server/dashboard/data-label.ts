/**
 * Whether candles are generated: the local stack's fake exchange serves a demo market (docs/demo-market.md)
 * on loopback, and no real exchange is reached there, so an exchange source on 127.0.0.0/8, localhost or
 * ::1 is taken as generated. Pure: the pages and their tests agree on the label.
 */
import type { DataSource } from '../../../core/metrics/data-source.js';

export function isGeneratedSource(source: DataSource): boolean {
  if (source.kind !== 'exchange' || source.url === null) return false;
  let host: string;
  try {
    host = new URL(source.url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}

/** The label the pages show beside figures measured on generated candles. */
export const GENERATED_LABEL =
  'Generated data: candles from the local fake exchange\u2019s demo market, not a real market.';
