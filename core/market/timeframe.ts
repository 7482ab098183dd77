import { TimeframeError } from './errors.js';

// Hand-written rather than ccxt's parseTimeframe so that CSV reading and validation
// (used by the serving path too) do not pay for loading ccxt. Months and years are
// left out on purpose: they have no fixed length, so gaps could not be measured.
const UNIT_MS = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

/** Length of one candle of a ccxt timeframe (`1m`, `1h`, `4h`, `1d`, ...) in ms. */
export function timeframeToMs(timeframe: string): number {
  const match = /^([1-9]\d*)([smhdw])$/.exec(timeframe);
  if (match === null) {
    throw new TimeframeError(
      timeframe,
      'expected a positive whole number and one of s, m, h, d, w, for example 1h',
    );
  }
  const [, amount = '', unit = ''] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** Open time of the candle that contains `timeMs`. */
export function candleOpenTime(timeMs: number, timeframeMs: number): number {
  return Math.floor(timeMs / timeframeMs) * timeframeMs;
}
