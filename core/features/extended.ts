import type { Candle } from '../market/candle.js';
import { EXTENDED_FEATURE_NAMES, FEATURE_NAMES, type FeatureSet } from './columns.js';
import { InvalidCandleError } from './errors.js';
import { extractFeatures } from './extract.js';
import type { FeatureMatrix } from './types.js';

// The set names and columns live in columns.ts (the config schema and the scaler read them without
// pulling in the feature arithmetic); re-exported here, where each column is computed.
export { EXTENDED_COLUMNS, EXTENDED_FEATURE_NAMES, FEATURE_SETS, featureNames } from './columns.js';
export type { ExtendedFeatureName, FeatureSet } from './columns.js';

/** Candles the volume's recent mean reaches back over (one day of hourly candles). */
export const VOLUME_LOOKBACK = 24;
/** A zero-volume candle (a filled gap) counts as this share of the mean, so its log stays finite. */
const VOLUME_FLOOR = 1e-3;
const HOUR_MS = 3_600_000;
const DAY_HOURS = 24;

/**
 * Candles needed before a row so that the row reads a full look-back: the relative volume looks back
 * VOLUME_LOOKBACK - 1 candles. Training drops this many rows from the start of its candles (their
 * volume mean would cover fewer candles), and serving extracts sequenceLength + warmupCandles(set)
 * candles and keeps the last sequenceLength rows: both then compute every row from the same candles.
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
export type FeatureSetMatrix = FeatureMatrix;

/**
 * The features of every candle for a feature set: training and serving both call this, so they
 * compute the same columns the same way. Row r of `extended` reads candles r - 23 .. r only.
 */
export function extractFeatureSet(candles: readonly Candle[], set: FeatureSet): FeatureSetMatrix {
  const seed = extractFeatures(candles);
  if (set === 'seed') return seed;
  // The seed columns never read the volume; these do, and a NaN would only surface as a scaler or
  // model error far from the candle that caused it.
  for (const [index, candle] of candles.entries()) {
    if (!Number.isFinite(candle.volume) || candle.volume < 0) {
      throw new InvalidCandleError(index, `volume is ${candle.volume}, not a finite number of at least 0`);
    }
  }
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
