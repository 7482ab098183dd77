import { logRange } from '../features/extended.js';
import type { Candle } from '../market/candle.js';

/**
 * What the scale network reads of each of the last hours before a forecast: the hour's log return and its
 * log range (ln high/low), each over the window's B1 volatility, so that a calm pair and a wild one, a cheap
 * year and an expensive one, give the network the same numbers for the same pattern.
 */
export const SCALE_SEQUENCE_CHANNELS = ['return_over_sigma', 'range_over_sigma'] as const;

/** Ratios are capped here, so one bad print cannot dominate the network's input. */
const CAP = 20;

/**
 * The sequence for the forecast made after candle `last` closed: `hours` steps, oldest first, each the
 * channels of SCALE_SEQUENCE_CHANNELS, written into `out` from `offset`. Reads candles last - hours to
 * last (one more than the steps, for the first return) and nothing after `last`.
 */
export function writeScaleSequence(
  candles: readonly Candle[],
  last: number,
  sigmaB1: number,
  hours: number,
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  if (last - hours < 0 || last >= candles.length) {
    throw new RangeError(
      `The scale sequence of ${hours} hours ending at candle ${last} needs candle ${last - hours}`,
    );
  }
  const width = SCALE_SEQUENCE_CHANNELS.length;
  for (let step = 0; step < hours; step += 1) {
    const candle = candles[last - hours + 1 + step]!;
    const previous = candles[last - hours + step]!;
    const r = previous.close > 0 && candle.close > 0 ? Math.log(candle.close / previous.close) : 0;
    out[offset + step * width] = Math.max(-CAP, Math.min(CAP, r / sigmaB1));
    out[offset + step * width + 1] = Math.min(CAP, logRange(candle) / sigmaB1);
  }
}
