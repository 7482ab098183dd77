import type { Candle } from '../market/candle.js';
import { FEATURE_NAMES } from './columns.js';
import { extractFeatures } from './extract.js';

/**
 * Feature sets a model can be trained on. `seed`: the original 9 columns (FEATURE_NAMES).
 * `extended`: the same 9, then the columns that carry the size of the next move: the hour of day
 * (volatility follows it) and scale-free forms of the candle's volume, range and return, which mean
 * the same thing in any year and at any price.
 */
export const FEATURE_SETS = ['seed', 'extended'] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

export const EXTENDED_COLUMNS = [
  /** sin and cos of 2π · (UTC hour of the candle's open) / 24: hour 23 sits next to hour 0. */
  'hour_sin',
  'hour_cos',
  /** ln(volume / mean volume of the last VOLUME_LOOKBACK candles, this one included). */
  'rel_log_volume',
  /** ln(high / low): the candle's range as a log return. */
  'log_range',
  /** ln(close / open): the candle's own log return. */
  'log_return',
] as const;

export const EXTENDED_FEATURE_NAMES = [...FEATURE_NAMES, ...EXTENDED_COLUMNS] as const;
export type ExtendedFeatureName = (typeof EXTENDED_FEATURE_NAMES)[number];

/** Candles the volume's recent mean reaches back over (one day of hourly candles). */
export const VOLUME_LOOKBACK = 24;
/** A zero-volume candle (a filled gap) counts as this share of the mean, so its log stays finite. */
const VOLUME_FLOOR = 1e-3;
const HOUR_MS = 3_600_000;
const DAY_HOURS = 24;

export function featureNames(set: FeatureSet): readonly string[] {
  return set === 'seed' ? FEATURE_NAMES : EXTENDED_FEATURE_NAMES;
}

/**
 * Candles needed before a window's first row so that every row of the window equals what training
 * computed: the relative volume looks back VOLUME_LOOKBACK - 1 candles. Serving extracts
 * sequenceLength + warmupCandles(set) candles and keeps the last sequenceLength rows.
 */
export function warmupCandles(set: FeatureSet): number {
  return set === 'seed' ? 0 : VOLUME_LOOKBACK - 1;
}

/** The UTC hour of day of an instant as an angle, 2π · hour / 24 (minutes ignored). */
export function hourAngle(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS) % DAY_HOURS;
  return (2 * Math.PI * (hour < 0 ? hour + DAY_HOURS : hour)) / DAY_HOURS;
}

/**
 * ln(volume / mean volume) of candle `index` against the `lookback` candles ending at it (fewer at
 * the start of the series). 0 when the mean is 0 (no trading at all).
 */
export function relativeLogVolume(
  candles: readonly Candle[],
  index: number,
  lookback = VOLUME_LOOKBACK,
): number {
  const from = Math.max(0, index - lookback + 1);
  let sum = 0;
  for (let i = from; i <= index; i += 1) sum += Math.max(0, candles[i]!.volume);
  const mean = sum / (index - from + 1);
  if (!(mean > 0)) return 0;
  return Math.log(Math.max(candles[index]!.volume, VOLUME_FLOOR * mean) / mean);
}

/** ln(high / low) of a candle; 0 for a flat or malformed one. */
export function logRange(candle: Candle): number {
  return candle.high > 0 && candle.low > 0 && candle.high >= candle.low
    ? Math.log(candle.high / candle.low)
    : 0;
}

/** ln(close / open) of a candle; 0 when either price is not positive. */
export function candleLogReturn(candle: Candle): number {
  return candle.open > 0 && candle.close > 0 ? Math.log(candle.close / candle.open) : 0;
}

/** Feature rows of a named set, row-major; the seed set is exactly extractFeatures. */
export interface FeatureSetMatrix {
  readonly rows: number;
  readonly columns: readonly string[];
  readonly data: Float64Array;
  readonly openTimes: Float64Array;
}

/**
 * The features of every candle for a feature set: training and serving both call this, so they
 * compute the same columns the same way. Row r of `extended` reads candles r - 23 .. r only.
 */
export function extractFeatureSet(candles: readonly Candle[], set: FeatureSet): FeatureSetMatrix {
  const seed = extractFeatures(candles);
  if (set === 'seed') return seed;
  const width = EXTENDED_FEATURE_NAMES.length;
  const seedWidth = FEATURE_NAMES.length;
  const data = new Float64Array(seed.rows * width);
  for (let row = 0; row < seed.rows; row += 1) {
    const candle = candles[row]!;
    const offset = row * width;
    data.set(seed.data.subarray(row * seedWidth, (row + 1) * seedWidth), offset);
    const angle = hourAngle(candle.openTime);
    data[offset + seedWidth] = Math.sin(angle);
    data[offset + seedWidth + 1] = Math.cos(angle);
    data[offset + seedWidth + 2] = relativeLogVolume(candles, row);
    data[offset + seedWidth + 3] = logRange(candle);
    data[offset + seedWidth + 4] = candleLogReturn(candle);
  }
  return { rows: seed.rows, columns: EXTENDED_FEATURE_NAMES, data, openTimes: seed.openTimes };
}
