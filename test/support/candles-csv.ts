import { writeFile } from 'node:fs/promises';
import type { Candle } from '../../core/market/index.js';
import { generateCandles } from '../../local/fake-exchange/index.js';

/** Writes candles in the ccxt layout (`timestamp,open,high,low,close,volume`, ms times) that `--candles` reads. */
export async function writeCandlesCsv(path: string, candles: readonly Candle[]): Promise<void> {
  const rows = candles.map((c) => `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  await writeFile(path, `${['timestamp,open,high,low,close,volume', ...rows].join('\n')}\n`);
}

/** `count` hourly candles of the fake exchange's seeded walk, starting 2026-01-01 00:00 UTC. */
export function hourlyCandles(count: number, seed = 7): Candle[] {
  return generateCandles({ seed, start: Date.UTC(2026, 0, 1), startPrice: 30_000, count });
}
