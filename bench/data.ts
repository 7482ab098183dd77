import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOUR_MS, validateCandles, type Candle } from '../core/market/index.js';
import { readCandlesCsv } from '../adapters/market/index.js';
import { generateCandles } from '../local/fake-exchange/index.js';

/** The real year of BTC/USDT beside the project, when it is there. */
export const SHARED_CSV = resolve(
  fileURLToPath(new URL('../../shared/data/btc_usdt_1h.csv', import.meta.url)),
);

export interface BenchCandles {
  readonly candles: Candle[];
  readonly source: string;
}

/** Benchmarks run on real candles when ../shared has them, on a generated year otherwise. */
export async function benchCandles(): Promise<BenchCandles> {
  if (existsSync(SHARED_CSV)) {
    const raw = await readCandlesCsv(SHARED_CSV);
    const { candles } = validateCandles(raw, HOUR_MS, { gapPolicy: 'fill', maxFillGap: 6 });
    return { candles, source: 'shared/data/btc_usdt_1h.csv' };
  }
  const candles = generateCandles({
    seed: 42,
    start: Date.UTC(2021, 2, 6, 17),
    count: 8760,
    startPrice: 50_000,
  });
  return { candles, source: 'generated (8760 hourly candles, seed 42)' };
}
