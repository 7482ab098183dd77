import { scaleFromCandles } from '../../../core/distribution/candle-scale.js';
import {
  scaleInputNames,
  writeScaleInputs,
  type ScaleInputsSpec,
} from '../../../core/distribution/scale-inputs.js';
import { SCALE_SEQUENCE_CHANNELS, writeScaleSequence } from '../../../core/distribution/scale-sequence.js';
import type { Candle } from '../../../core/market/candle.js';

/** What the scale network reads around each forecast. */
export interface ScaleWindowSpec {
  /** Candles B1 and the inputs read, ending at the last closed one (the point model's window). */
  readonly windowLength: number;
  /** Hours of the network's sequence (at most windowLength - 1). */
  readonly hours: number;
  /** The linear term's inputs. */
  readonly inputs: ScaleInputsSpec;
}

/**
 * Windows as the scale network reads them, window k ending at candle `first + k` of its series: the
 * sequence (hours x channels), the linear term's raw inputs, B1's sigma and the log return that came
 * next. Each is read from the `windowLength` candles ending at the window's last candle only, exactly as
 * serving reads the candles it has (scaleFromCandles, writeScaleInputs, writeScaleSequence).
 */
export interface ScaleWindows {
  readonly count: number;
  readonly hours: number;
  readonly channels: number;
  readonly inputCount: number;
  /** [count, hours, channels], row-major. */
  readonly sequences: Float32Array;
  /** [count, inputCount], row-major, raw (not standardised). */
  readonly inputs: Float64Array;
  readonly sigmaB1: Float64Array;
  readonly logReturn: Float64Array;
}

export function scaleWindows(
  candles: readonly Candle[],
  split: { readonly first: number; readonly count: number },
  spec: ScaleWindowSpec,
): ScaleWindows {
  const { windowLength, hours, inputs } = spec;
  const channels = SCALE_SEQUENCE_CHANNELS.length;
  const inputCount = scaleInputNames(inputs).length;
  const { first, count } = split;
  if (hours >= windowLength)
    throw new RangeError(`${hours} hours do not fit a window of ${windowLength} candles`);
  if (first < windowLength - 1 || first + count >= candles.length) {
    throw new RangeError(
      `Windows ending at candles ${first}..${first + count - 1} need ${windowLength} candles before each and one after; ${candles.length} given`,
    );
  }
  const out: ScaleWindows = {
    count,
    hours,
    channels,
    inputCount,
    sequences: new Float32Array(count * hours * channels),
    inputs: new Float64Array(count * inputCount),
    sigmaB1: new Float64Array(count),
    logReturn: new Float64Array(count),
  };
  for (let k = 0; k < count; k += 1) {
    const last = first + k;
    const window = candles.slice(last - windowLength + 1, last + 1);
    const next = candles[last + 1]!;
    const sigma = scaleFromCandles(window, windowLength, next.openTime, null).sigmaB1;
    out.sigmaB1[k] = sigma;
    out.logReturn[k] = Math.log(next.close / candles[last]!.close);
    writeScaleInputs(
      inputs,
      window,
      windowLength - 1,
      sigma,
      next.openTime,
      out.inputs,
      k * inputCount,
      windowLength,
    );
    writeScaleSequence(window, windowLength - 1, sigma, hours, out.sequences, k * hours * channels);
  }
  return out;
}

/** Several pairs' windows as one set, in the order given (for a fit across pairs). */
export function concatWindows(parts: readonly ScaleWindows[]): ScaleWindows {
  const [head] = parts;
  if (head === undefined) throw new RangeError('concatWindows: no windows');
  const join = <T extends Float32Array | Float64Array>(
    ArrayType: new (length: number) => T,
    pick: (w: ScaleWindows) => T,
  ): T => {
    const all = new ArrayType(parts.reduce((n, w) => n + pick(w).length, 0));
    let at = 0;
    for (const w of parts) {
      all.set(pick(w), at);
      at += pick(w).length;
    }
    return all;
  };
  for (const w of parts) {
    if (w.hours !== head.hours || w.inputCount !== head.inputCount)
      throw new RangeError('windows of different shapes');
  }
  return {
    count: parts.reduce((n, w) => n + w.count, 0),
    hours: head.hours,
    channels: head.channels,
    inputCount: head.inputCount,
    sequences: join(Float32Array, (w) => w.sequences),
    inputs: join(Float64Array, (w) => w.inputs),
    sigmaB1: join(Float64Array, (w) => w.sigmaB1),
    logReturn: join(Float64Array, (w) => w.logReturn),
  };
}
