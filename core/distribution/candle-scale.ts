import type { Candle } from '../market/candle.js';
import { sigmaB1 } from './baselines.js';
import { correctedSigma, type ScaleCorrection } from './linear-scale.js';
import { scaleInputNames, writeScaleInputs } from './scale-inputs.js';

export interface CandleScale {
  /** B1's standard deviation of the next log return, from the window's closes. */
  readonly sigmaB1: number;
  /** The corrected standard deviation (sigmaB1 when there is no correction). */
  readonly sigma: number;
}

/**
 * The next hour's scale from the last `windowLength` closed candles, as the backtest computes it:
 * what serving calls with the candles it already has for the network's window.
 */
export function scaleFromCandles(
  candles: readonly Candle[],
  windowLength: number,
  nextOpenTime: number,
  correction: ScaleCorrection | null,
): CandleScale {
  if (candles.length < windowLength || windowLength < 2) {
    throw new RangeError(`The scale needs ${windowLength} candles (at least 2), got ${candles.length}`);
  }
  const window = candles.slice(candles.length - windowLength);
  const base = sigmaB1(window.map((candle) => candle.close));
  if (correction === null) return { sigmaB1: base, sigma: base };
  const inputs = new Float64Array(scaleInputNames(correction.inputs).length);
  writeScaleInputs(correction.inputs, window, window.length - 1, base, nextOpenTime, inputs, 0, windowLength);
  return { sigmaB1: base, sigma: correctedSigma(correction, inputs, base) };
}
