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

/**
 * `count` hourly candles of a seeded random walk from 30,000 with volumes 100-1,000: a 32-bit LCG,
 * so the series is the same on every machine and in every version of every library.
 */
export function walkCandles(count: number, start = Date.UTC(2024, 1, 27, 13)): Candle[] {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  let price = 30_000;
  return Array.from({ length: count }, (_, i) => {
    const open = price;
    const close = open * (1 + (next() - 0.5) * 0.02);
    const high = Math.max(open, close) * (1 + next() * 0.005);
    const low = Math.min(open, close) * (1 - next() * 0.005);
    price = close;
    return { openTime: start + i * HOUR_MS, open, high, low, close, volume: 100 + 900 * next() };
  });
}

/** The bits of a float32 buffer, so that deepEqual compares them exactly (NaN, -0 included). */
export function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}
