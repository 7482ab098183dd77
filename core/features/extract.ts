import type { Candle } from '../market/candle.js';
import { calendarFeatures } from './calendar.js';
import { FEATURE_COUNT, FEATURE_NAMES } from './columns.js';
import { InvalidCandleError } from './errors.js';
import type { FeatureMatrix } from './types.js';

export { CLOSE_INDEX, FEATURE_COUNT, FEATURE_NAMES } from './columns.js';
export type { FeatureName } from './columns.js';

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

function checkCandle(candle: Candle, index: number, previousOpenTime: number): void {
  if (!Number.isSafeInteger(candle.openTime) || candle.openTime < 0) {
    throw new InvalidCandleError(index, `openTime ${candle.openTime} is not a non-negative integer of ms`);
  }
  // Windows assume rows in time order; a repeated or earlier candle would silently mislabel them.
  if (candle.openTime <= previousOpenTime) {
    throw new InvalidCandleError(
      index,
      `openTime ${candle.openTime} is not after the previous candle's ${previousOpenTime}; candles must be in strictly increasing time order`,
    );
  }
  for (const field of PRICE_FIELDS) {
    if (!Number.isFinite(candle[field])) {
      throw new InvalidCandleError(index, `${field} is ${candle[field]}, not a finite number`);
    }
  }
}

/**
 * The 9 features of each candle, in FEATURE_NAMES order. Candles must be in strictly increasing
 * time order with finite prices; gaps are the market module's business, not checked here.
 */
export function extractFeatures(candles: readonly Candle[]): FeatureMatrix {
  const rows = candles.length;
  const data = new Float64Array(rows * FEATURE_COUNT);
  const openTimes = new Float64Array(rows);
  let previousOpenTime = -Infinity;
  for (const [row, candle] of candles.entries()) {
    checkCandle(candle, row, previousOpenTime);
    previousOpenTime = candle.openTime;
    const calendar = calendarFeatures(candle.openTime);
    const offset = row * FEATURE_COUNT;
    // Same order as FEATURE_NAMES; extract.test.ts reads every column back by name.
    data[offset] = calendar.dayOfWeek;
    data[offset + 1] = calendar.dayOfMonth;
    data[offset + 2] = calendar.weekOfYear;
    data[offset + 3] = calendar.monthOfYear;
    data[offset + 4] = candle.open;
    data[offset + 5] = candle.high;
    data[offset + 6] = candle.low;
    data[offset + 7] = candle.close;
    data[offset + 8] = candle.close - candle.open;
    openTimes[row] = candle.openTime;
  }
  return { rows, columns: FEATURE_NAMES, data, openTimes };
}
