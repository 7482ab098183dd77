import { HOUR_MS } from '../../../core/market/candle.js';
import type { Candle } from '../../../core/market/candle.js';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../core/features/index.js';
import type { FeatureMatrix } from '../../../core/features/index.js';

/** Monday 4 January 2021, 00:00 UTC: the first hour of ISO week 1 of 2021. */
export const MONDAY_2021_01_04 = Date.UTC(2021, 0, 4);

export function candle(openTime: number, open: number, high: number, low: number, close: number): Candle {
  return { openTime, open, high, low, close, volume: 1 };
}

/** `count` consecutive hourly candles from `start`; candle i closes at 100 + i and opens 0.5 lower. */
export function risingCandles(count: number, start = MONDAY_2021_01_04): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const close = 100 + i;
    return candle(start + i * HOUR_MS, close - 0.5, close + 1, close - 1, close);
  });
}

/** A feature matrix from hand-written rows of 9 values; open times are consecutive hours. */
export function matrixFromRows(
  rows: readonly (readonly number[])[],
  start = MONDAY_2021_01_04,
): FeatureMatrix {
  for (const row of rows) {
    if (row.length !== FEATURE_COUNT) throw new Error(`fixture row has ${row.length} values`);
  }
  return {
    rows: rows.length,
    columns: FEATURE_NAMES,
    data: Float64Array.from(rows.flat()),
    openTimes: Float64Array.from(rows, (_, i) => start + i * HOUR_MS),
  };
}

/** Column `c` of a row-major buffer of FEATURE_COUNT columns, as plain numbers. */
export function column(data: ArrayLike<number>, c: number): number[] {
  const values: number[] = [];
  for (let i = c; i < data.length; i += FEATURE_COUNT) values.push(data[i] ?? Number.NaN);
  return values;
}
